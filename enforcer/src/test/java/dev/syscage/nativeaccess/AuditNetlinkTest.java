package dev.syscage.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The netlink binding against this kernel: AUDIT_GET, AUDIT_SET, and the multicast reader, which
 * receives the kernel's own record of turning the audit off ({@code AUDIT_CONFIG_CHANGE}, type
 * 1305, {@code op=set audit_enabled=0 old=1}). The audit is put back as it was.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AuditNetlinkTest {
    private static final int AUDIT_CONFIG_CHANGE = 1305;

    private final AuditNetlink audit = AuditNetlink.instance();

    @Test
    void theReaderSeesTheKernelRecordItsOwnChange() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "setting the kernel audit needs root");
        int before = audit.enabled();
        assumeTrue(before == 0 || before == 1, "the kernel audit is locked (enabled=" + before + ")");
        // the kernel records a change only while the audit is on: turn it on, then off with the reader there
        audit.setEnabled(1);
        try (AuditNetlink.Records records = audit.readLog()) {
            assertEquals(1, audit.enabled());
            audit.setEnabled(0);
            assertEquals(0, audit.enabled());
            String expected = "op=set audit_enabled=0 old=1 ";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            AuditNetlink.Record seen = null;
            while (seen == null && System.nanoTime() < deadline) {
                AuditNetlink.Record r = records.next(100);
                if (r != null && r.type() == AUDIT_CONFIG_CHANGE && r.text().contains(expected)) {
                    seen = r;
                }
            }
            assertTrue(seen != null, "no AUDIT_CONFIG_CHANGE record with '" + expected + "' within 10 s");
            assertTrue(seen.text().matches("audit\\(\\d+\\.\\d{3}:\\d+\\): .*"), seen.text());
        } finally {
            audit.setEnabled(before);
        }
        assertEquals(before, audit.enabled());
    }

    @Test
    void aClosedReaderSaysSo() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "reading the kernel audit needs CAP_AUDIT_READ");
        AuditNetlink.Records records = audit.readLog();
        records.close();
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> records.next(0));
        assertEquals("the audit log reader is closed", e.getMessage());
    }
}
