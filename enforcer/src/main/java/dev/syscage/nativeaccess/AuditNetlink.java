package dev.syscage.nativeaccess;

import java.io.IOException;

/**
 * The kernel's audit, as syscage needs it to bring Landlock's denials into its own log: whether
 * the audit is on ({@code AUDIT_GET}), turning it on or off ({@code AUDIT_SET}, for tests), and
 * a reader of every record the kernel emits, through the multicast group
 * {@code AUDIT_NLGRP_READLOG} of a {@code NETLINK_AUDIT} socket (needs {@code CAP_AUDIT_READ};
 * it works beside auditd, or without one). Named after the kernel's messages; the JNA binding
 * ({@link JnaAuditNetlink}) is behind it, so that what is made of the records can be tested with
 * fakes.
 */
public interface AuditNetlink {
    int AF_NETLINK = 16;
    int NETLINK_AUDIT = 9;
    int AUDIT_GET = 1000;
    int AUDIT_SET = 1001;
    /** {@code struct audit_status.mask} bit that says {@code enabled} is to be set. */
    int AUDIT_STATUS_ENABLED = 0x0001;
    /** The multicast group that receives a copy of every record (Linux 3.16). */
    int AUDIT_NLGRP_READLOG = 1;

    int NLMSG_ERROR = 2;

    /** The audit's {@code enabled} flag: 0 off, 1 on, 2 on and locked until reboot. */
    int enabled() throws IOException;

    /**
     * Sets the {@code enabled} flag (0 or 1) and waits for the kernel's answer.
     *
     * @throws IOException naming the errno (EPERM without CAP_AUDIT_CONTROL; the audit is
     *     locked; ECONNREFUSED where the socket is not in the initial network namespace)
     */
    void setEnabled(int enabled) throws IOException;

    /**
     * A socket bound to {@code AUDIT_NLGRP_READLOG}: from now on it receives every record.
     *
     * @throws IOException naming the call and errno (EPERM without CAP_AUDIT_READ)
     */
    Records readLog() throws IOException;

    /** One record as the kernel sends it: its type and its text, {@code audit(SEC.MS:SERIAL): key=value ...}. */
    record Record(int type, String text) {}

    /** A multicast reader; one thread reads it. */
    interface Records extends AutoCloseable {
        /**
         * The next record, waiting at most {@code timeoutMillis}; null when none came in that
         * time.
         *
         * @throws IOException when the socket fails; ENOBUFS (records were lost because the
         *     reader fell behind) is reported as {@link Overrun}, and the reader goes on
         */
        Record next(int timeoutMillis) throws IOException;

        @Override
        void close();
    }

    /** The socket's buffer ran over: the kernel dropped records this reader did not read in time. */
    final class Overrun extends IOException {
        public Overrun() {
            super("the kernel dropped audit records (ENOBUFS): the reader fell behind");
        }
    }

    /** The binding to this kernel. */
    static AuditNetlink instance() {
        return JnaAuditNetlink.INSTANCE;
    }
}
