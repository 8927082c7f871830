package jnat.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A layer-3 TUN device (IFF_TUN | IFF_NO_PI), created or opened by name through /dev/net/tun,
 * optionally with several queues (IFF_MULTI_QUEUE). The device lives in the network namespace of
 * the thread that opens it; it is not persistent, so it disappears when {@link #close} closes the
 * last queue. Moving it to another namespace ({@code ip link set DEV netns NS}) keeps the file
 * descriptors attached, which is how the lab hands the kernel side to a peer namespace.
 */
public final class TunDevice implements AutoCloseable {
    public static final String CLONE_DEVICE = "/dev/net/tun";
    /** IFNAMSIZ - 1: the longest interface name the kernel takes. */
    public static final int MAX_NAME_LENGTH = 15;

    static final short IFF_UP = 0x1;
    static final short IFF_TUN = 0x0001;
    static final short IFF_MULTI_QUEUE = 0x0100;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    static final int IFF_TUN_EXCL = 0x8000;
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** TUNSETOFFLOAD flags (include/uapi/linux/if_tun.h): what this side accepts in packets it reads. */
    public static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04, TUN_F_TSO_ECN = 0x08,
            TUN_F_USO4 = 0x20, TUN_F_USO6 = 0x40;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCGIFINDEX = 0x8933;
    /** sizeof(struct ifreq): char ifr_name[16] then a 24-byte union (flags, mtu, ifindex, ...). */
    static final int IFREQ_SIZE = 40;
    static final int IFR_UNION = 16;

    private String name; // as the kernel gave it (differs from the request only for "%d" names)
    private final List<TunQueue> queues = new ArrayList<>();
    private final boolean vnetHdr;
    private int offloads;
    private boolean closed;

    private TunDevice(String name, boolean vnetHdr) {
        this.name = name;
        this.vnetHdr = vnetHdr;
    }

    /** Creates the single-queue TUN device {@code name}, or opens it if a TUN device of that name exists. */
    public static TunDevice open(String name) throws ErrnoException {
        return open(name, 1);
    }

    /**
     * Creates (or opens) the TUN device {@code name} with {@code queues} queues; more than one
     * sets IFF_MULTI_QUEUE, so the kernel spreads flows over the queues and several threads can
     * read in parallel. A name with "%d" lets the kernel pick the number; {@link #name} tells it.
     */
    public static TunDevice open(String name, int queues) throws ErrnoException {
        return open(name, queues, false);
    }

    /**
     * As {@link #open(String, int)}; with {@code vnetHdr} the queues carry a {@link VirtioNetHdr}
     * before every packet (IFF_VNET_HDR, TUNSETVNETHDRSZ 10) and the device takes the offloads of
     * {@link #OFFLOADS} (TUNSETOFFLOAD): the kernel then hands over TCP segments of up to 64 KB with
     * their checksum left partial, and takes such packets back, as between two veths.
     */
    public static TunDevice open(String name, int queues, boolean vnetHdr) throws ErrnoException {
        checkName(name);
        if (queues < 1) throw new IllegalArgumentException("a TUN device needs at least one queue, not " + queues);
        TunDevice dev = new TunDevice(name, vnetHdr);
        boolean ok = false;
        try {
            short flags = (short) (IFF_TUN | IFF_NO_PI | (queues > 1 ? IFF_MULTI_QUEUE : 0) | (vnetHdr ? IFF_VNET_HDR : 0));
            String actual = name;
            for (int i = 0; i < queues; i++) {
                int fd = openCloneDevice();
                dev.queues.add(new TunQueue(dev, i, fd));
                actual = setIff(fd, i == 0 ? name : actual, flags);
            }
            dev.name = actual;
            if (vnetHdr) {
                dev.setVnetHdrSize(VirtioNetHdr.SIZE);
                dev.offloads = dev.setOffload(OFFLOADS);
            }
            ok = true;
            return dev;
        } finally {
            if (!ok) dev.close();
        }
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty TUN device name");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("TUN device name " + name + " is longer than "
                    + MAX_NAME_LENGTH + " characters");
        }
    }

    private static int openCloneDevice() throws ErrnoException {
        int fd = Libc.open(CLONE_DEVICE, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd >= 0) return fd;
        int errno = Libc.errno();
        throw new ErrnoException("open", CLONE_DEVICE, errno, openHint(errno));
    }

    static String openHint(int errno) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO ->
                    "the TUN driver is missing (modprobe tun; in a container, pass --device /dev/net/tun)";
            case Errno.EPERM, Errno.EACCES -> "TUN devices need root (CAP_NET_ADMIN)";
            default -> null;
        };
    }

    /** TUNSETIFF: attaches {@code fd} to the device, creating it if needed; returns the device's name. */
    private static String setIff(int fd, String name, short flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(arena, name);
            ifr.set(JAVA_SHORT, IFR_UNION, flags);
            if (Libc.ioctl(fd, TUNSETIFF, ifr) < 0) {
                int errno = Libc.errno();
                throw new ErrnoException("TUNSETIFF", name, errno, setIffHint(errno, name, flags));
            }
            return ifr.getString(0);
        }
    }

    /** Why TUNSETIFF fails, from tun_set_iff() in drivers/net/tun.c. */
    static String setIffHint(int errno, String name, short flags) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> "creating a TUN device needs root (CAP_NET_ADMIN)";
            case Errno.EBUSY -> "TUN device " + name + " is in use by another process"
                    + ((flags & IFF_MULTI_QUEUE) == 0 ? "" : " or has no free queue");
            case Errno.EINVAL -> interfaceExists(name)
                    ? "a device named " + name + " exists and is not a "
                            + ((flags & IFF_MULTI_QUEUE) != 0 ? "multi-queue" : "single-queue") + " TUN device"
                    : "invalid device name or flags";
            default -> null;
        };
    }

    /** True when an interface of that name exists in this thread's network namespace. */
    static boolean interfaceExists(String name) {
        try {
            ifIndex(name);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static MemorySegment ifreq(Arena arena, String name) {
        MemorySegment ifr = arena.allocate(IFREQ_SIZE);
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, ifr, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, Math.min(b.length, MAX_NAME_LENGTH));
        return ifr;
    }

    /**
     * Checksum offload, TCP segmentation (IPv4, IPv6, with ECN) and UDP segmentation (USO: the
     * kernel takes it only with both USO4 and USO6, since Linux 6.2; {@link #setOffload} drops it
     * on an older kernel). set_offload turns these into the device's NETIF_F_TSO, NETIF_F_TSO6,
     * NETIF_F_TSO_ECN and NETIF_F_GSO_UDP_L4 features, so the peer's stack hands over 64 KB segments
     * of either family.
     */
    public static final int OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6;

    /** TUNSETVNETHDRSZ: the size of the header before each packet (at least 10). */
    void setVnetHdrSize(int size) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sz = arena.allocate(JAVA_INT);
            sz.set(JAVA_INT, 0, size);
            if (Libc.ioctl(queues.getFirst().fd(), TUNSETVNETHDRSZ, sz) < 0) {
                throw new ErrnoException("TUNSETVNETHDRSZ", name, Libc.errno());
            }
        }
    }

    /**
     * TUNSETOFFLOAD: the offloads this side accepts ({@code TUN_F_*}); the kernel refuses flags it
     * does not know with EINVAL (set_offload in drivers/net/tun.c), so USO is dropped and the rest
     * tried again. Returns the flags that were set.
     */
    public int setOffload(int flags) throws ErrnoException {
        if (Libc.ioctl(queues.getFirst().fd(), TUNSETOFFLOAD, flags) >= 0) return flags;
        int errno = Libc.errno();
        int withoutUso = flags & ~(TUN_F_USO4 | TUN_F_USO6);
        if (errno == Errno.EINVAL && withoutUso != flags && Libc.ioctl(queues.getFirst().fd(), TUNSETOFFLOAD, withoutUso) >= 0) {
            return withoutUso;
        }
        throw new ErrnoException("TUNSETOFFLOAD", name, errno == Errno.EINVAL ? Libc.errno() : errno);
    }

    /** True when the queues carry a {@link VirtioNetHdr} before each packet (IFF_VNET_HDR). */
    public boolean vnetHdr() {
        return vnetHdr;
    }

    /** The TUN_F_* offloads set, 0 without IFF_VNET_HDR. */
    public int offloads() {
        return offloads;
    }

    /** The interface name (as the kernel gave it). */
    public String name() {
        return name;
    }

    public int queueCount() {
        return queues.size();
    }

    public TunQueue queue(int i) {
        return queues.get(i);
    }

    public List<TunQueue> queues() {
        return List.copyOf(queues);
    }

    /** Reads one packet from the first queue; see {@link TunQueue#read}. */
    public int read(byte[] buf, int off, int len) throws ErrnoException {
        return queues.getFirst().read(buf, off, len);
    }

    /** Writes one packet to the first queue; see {@link TunQueue#write}. */
    public int write(byte[] buf, int off, int len) {
        return queues.getFirst().write(buf, off, len);
    }

    /**
     * TUNSETPERSIST: a persistent device outlives its file descriptors (it stays, down to no
     * carrier, wherever it was moved, until {@code ip link del} or another call with false), so a
     * restarted gateway can open it again and the peer keeps its addresses and routes.
     */
    public void setPersistent(boolean on) throws ErrnoException {
        if (Libc.ioctl(queues.getFirst().fd(), TUNSETPERSIST, on ? 1L : 0L) < 0) {
            throw new ErrnoException("TUNSETPERSIST", name, Libc.errno());
        }
    }

    /** SIOCSIFMTU. Works while the device is in this thread's namespace (before it is moved). */
    public void setMtu(int mtu) throws ErrnoException {
        ifreqCall("SIOCSIFMTU", name, SIOCSIFMTU, ifr -> ifr.set(JAVA_INT, IFR_UNION, mtu));
    }

    /** SIOCGIFMTU. */
    public int mtu() throws ErrnoException {
        return ifreqCall("SIOCGIFMTU", name, SIOCGIFMTU, ifr -> { }).get(JAVA_INT_UNALIGNED, IFR_UNION);
    }

    /** Sets the link up (SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP), as {@code ip link set DEV up}. */
    public void setUp() throws ErrnoException {
        short f = ifreqCall("SIOCGIFFLAGS", name, SIOCGIFFLAGS, ifr -> { }).get(JAVA_SHORT_UNALIGNED, IFR_UNION);
        ifreqCall("SIOCSIFFLAGS", name, SIOCSIFFLAGS, ifr -> ifr.set(JAVA_SHORT, IFR_UNION, (short) (f | IFF_UP)));
    }

    /** The kernel's ifindex of this device in this thread's namespace (SIOCGIFINDEX). */
    public int ifIndex() throws ErrnoException {
        return ifIndex(name);
    }

    static int ifIndex(String name) throws ErrnoException {
        return ifreqCall("SIOCGIFINDEX", name, SIOCGIFINDEX, ifr -> { }).get(JAVA_INT_UNALIGNED, IFR_UNION);
    }

    /** Runs one SIOC* ioctl on a throwaway AF_INET socket; returns a heap copy of the ifreq (read it with unaligned layouts). */
    private static MemorySegment ifreqCall(String call, String name, long request,
                                           java.util.function.Consumer<MemorySegment> fill) throws ErrnoException {
        int s = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) throw new ErrnoException("socket", "AF_INET", Libc.errno());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(arena, name);
            fill.accept(ifr);
            if (Libc.ioctl(s, request, ifr) < 0) {
                int errno = Libc.errno();
                throw new ErrnoException(call, name, errno,
                        errno == Errno.ENODEV ? "no such device in this network namespace" : null);
            }
            return MemorySegment.ofArray(ifr.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        } finally {
            Libc.close(s);
        }
    }

    /**
     * Closes every queue. The device is not persistent, so the kernel deletes it once the last
     * queue is closed (wherever it has been moved). Call only after readers and writers stopped.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (TunQueue q : queues) q.close();
    }

    @Override
    public String toString() {
        return "tun:" + name + (queues.size() > 1 ? "(" + queues.size() + " queues)" : "") + (vnetHdr ? "+vnet" : "");
    }
}
