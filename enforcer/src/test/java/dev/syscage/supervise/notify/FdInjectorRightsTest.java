package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.landlock.FsAccess;
import org.junit.jupiter.api.Test;

/** Which Landlock rights a supervisor call needs: the domain runs only calls that need a right it handles. */
class FdInjectorRightsTest {
    private static final long O_WRONLY = 1;
    private static final long O_RDWR = 2;
    private static final long O_CREAT = 0100;
    private static final long O_TRUNC = 01000;
    private static final long O_PATH = 010000000;

    @Test
    void opensNeedTheirAccessModeAndWhatTheirFlagsDo() {
        assertEquals(FsAccess.READ_FILE | FsAccess.READ_DIR, FdInjector.openRights(0));
        assertEquals(FsAccess.WRITE_FILE, FdInjector.openRights(O_WRONLY));
        assertEquals(
                FsAccess.READ_FILE | FsAccess.WRITE_FILE | FsAccess.TRUNCATE | FsAccess.MAKE_REG,
                FdInjector.openRights(O_RDWR | O_TRUNC | O_CREAT));
        assertEquals(0, FdInjector.openRights(O_PATH | O_WRONLY));
    }

    @Test
    void mknodNeedsTheRightOfItsFileType() {
        assertEquals(FsAccess.MAKE_BLOCK, FdInjector.makeRight(0060600));
        assertEquals(FsAccess.MAKE_CHAR, FdInjector.makeRight(0020600));
        assertEquals(FsAccess.MAKE_FIFO, FdInjector.makeRight(0010600));
        assertEquals(FsAccess.MAKE_SOCK, FdInjector.makeRight(0140600));
        assertEquals(FsAccess.MAKE_REG, FdInjector.makeRight(0600));
    }

    @Test
    void noDomainHandlesNothing() {
        assertEquals(false, LandlockDomain.NONE.handlesAny(FsAccess.ALL));
    }
}
