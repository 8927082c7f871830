package jnat.linux;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrnoTest {

    @Test
    void namedErrnosCarryTheCLibrarysStrerrorText() {
        int named = 0;
        for (int e = 1; e < 200; e++) {
            if (Errno.name(e) == null) continue;
            named++;
            assertEquals(Libc.strerror(e), Errno.text(e), Errno.name(e));
        }
        assertTrue(named > 20);
    }

    @Test
    void messageNamesCallDeviceTextAndErrnoName() {
        var e = new ErrnoException("TUNSETIFF", "tun-wan", Errno.EBUSY);
        assertEquals("TUNSETIFF tun-wan: Device or resource busy (EBUSY)", e.getMessage());
    }

    @Test
    void unnamedErrnoPrintsItsNumber() {
        assertNull(Errno.name(150));
        assertEquals("Unknown error 150 (errno 150)", Errno.describe(150));
    }

    @Test
    void notRootOnTunsetiffSaysRootIsNeeded() {
        var e = new ErrnoException("TUNSETIFF", "tun0", Errno.EPERM,
                TunDevice.setIffHint(Errno.EPERM, "tun0", TunDevice.IFF_TUN));
        assertEquals("TUNSETIFF tun0: Operation not permitted (EPERM); creating a TUN device needs root (CAP_NET_ADMIN)",
                e.getMessage());
    }

    @Test
    void missingCloneDeviceSaysTheDriverIsMissing() {
        var e = new ErrnoException("open", "/dev/net/tun", Errno.ENOENT, TunDevice.openHint(Errno.ENOENT));
        assertEquals("open /dev/net/tun: No such file or directory (ENOENT); the TUN driver is missing "
                + "(modprobe tun; in a container, pass --device /dev/net/tun)", e.getMessage());
    }

    @Test
    void openOfAMissingPathCapturesEnoent() {
        int fd = Libc.open("/nonexistent/jnat-" + ProcessHandle.current().pid(), Libc.O_RDWR);
        assertEquals(-1, fd);
        assertEquals(Errno.ENOENT, Libc.errno());
    }
}
