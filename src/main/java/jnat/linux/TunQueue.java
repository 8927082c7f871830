package jnat.linux;

/**
 * One queue of a TUN device: a non-blocking file descriptor on /dev/net/tun attached to the
 * device. With IFF_NO_PI each read returns exactly one IP packet and each write injects one, as if
 * it had been received on the device (tun_get_user / tun_put_user in drivers/net/tun.c).
 */
public final class TunQueue {
    private final TunDevice device;
    private final int index;
    private volatile int fd;

    TunQueue(TunDevice device, int index, int fd) {
        this.device = device;
        this.index = index;
        this.fd = fd;
    }

    public TunDevice device() {
        return device;
    }

    /** 0 for the first queue. */
    public int index() {
        return index;
    }

    /** The file descriptor, for poll(2); -1 once closed. */
    public int fd() {
        return fd;
    }

    /**
     * Reads one packet into {@code buf[off, off+len)} (copied there by the kernel, no bounce
     * buffer). Returns its length, or 0 when no packet is waiting (EAGAIN: poll, then read again).
     * A packet longer than {@code len} is truncated by the kernel, so give room for the MTU.
     *
     * @throws ErrnoException when the queue is unusable (device deleted, fd closed)
     */
    public int read(byte[] buf, int off, int len) throws ErrnoException {
        long n = Libc.read(fd, buf, off, len);
        if (n >= 0) return (int) n;
        int errno = Libc.errno();
        if (errno == Errno.EAGAIN || errno == Errno.EINTR) return 0;
        throw new ErrnoException("read", device.name(), errno);
    }

    /**
     * Writes one packet (an IPv4 or IPv6 packet, no header before it): the kernel receives it on
     * the device. Returns the number of bytes taken, or -errno when the kernel refused it (EIO when
     * the device is down, EINVAL for a packet it cannot parse); a refused packet is a drop, not an
     * exception, as in a driver's tx_dropped.
     */
    public int write(byte[] buf, int off, int len) {
        long n = Libc.write(fd, buf, off, len);
        return n >= 0 ? (int) n : -Libc.errno();
    }

    void close() {
        int f = fd;
        fd = -1;
        if (f >= 0) Libc.close(f);
    }
}
