package jnat.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into the C library through the FFM API (no JNI, no native code of our own). Each call
 * returns what the C function returns; on failure (-1) the caller reads {@link #errno()}, which
 * holds the errno the call left on this thread (captured with {@code captureCallState("errno")},
 * since the JVM itself may overwrite the real errno before Java code could read it).
 *
 * <p>read and write take heap {@code byte[]} directly ({@code Linker.Option.critical(true)}): the
 * kernel copies the packet straight into (out of) the Java array, no native bounce buffer. A
 * critical call must not block (the thread stays "in Java" and holds up the GC), so they are only
 * used on file descriptors opened O_NONBLOCK; waiting is done by {@link #poll}, a normal call.
 */
public final class Libc {
    private Libc() {}

    public static final int O_RDWR = 0x2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = O_NONBLOCK;
    public static final int EFD_CLOEXEC = O_CLOEXEC;
    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    /** struct pollfd { int fd; short events; short revents; } */
    public static final int POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // One capture segment per thread, so concurrent readers and writers never see each other's errno.
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment addr = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, options);
    }

    // open and ioctl are variadic in C: declare where the variadic part starts.
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle READ_HEAP = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            Linker.Option.critical(true), CAPTURE_ERRNO);
    private static final MethodHandle WRITE_HEAP = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            Linker.Option.critical(true), CAPTURE_ERRNO);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SETNS = downcall("setns",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle ISATTY = downcall("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = downcall("strerror",
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, java.lang.foreign.ValueLayout.JAVA_BYTE)), JAVA_INT));

    /** The errno the last failed call on this thread left. */
    public static int errno() {
        return (int) ERRNO.get(CALL_STATE.get(), 0L);
    }

    /** isatty(3): whether {@code fd} is a terminal. */
    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(CALL_STATE.get(), arena.allocateFrom(path), flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(CALL_STATE.get(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl whose argument is a pointer (struct ifreq and the like). */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(CALL_STATE.get(), fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl whose argument is a plain integer (TUNSETPERSIST). */
    public static int ioctl(int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(CALL_STATE.get(), fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) straight into {@code buf[off, off+len)}; the fd must be non-blocking (see class doc). */
    public static long read(int fd, byte[] buf, int off, int len) {
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        try {
            return (long) READ_HEAP.invokeExact(CALL_STATE.get(), fd, seg, (long) len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) straight from {@code buf[off, off+len)}; the fd must be non-blocking (see class doc). */
    public static long write(int fd, byte[] buf, int off, int len) {
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        try {
            return (long) WRITE_HEAP.invokeExact(CALL_STATE.get(), fd, seg, (long) len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) into native memory (a normal, non-critical call: may block). */
    public static long read(int fd, MemorySegment buf) {
        try {
            return (long) READ.invokeExact(CALL_STATE.get(), fd, buf, buf.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) from native memory (a normal, non-critical call). */
    public static long write(int fd, MemorySegment buf) {
        try {
            return (long) WRITE.invokeExact(CALL_STATE.get(), fd, buf, buf.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) over {@code nfds} struct pollfd in {@code fds}; timeout in ms, -1 waits forever. */
    public static int poll(MemorySegment fds, int nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(CALL_STATE.get(), fds, (long) nfds, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(CALL_STATE.get(), domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setns(2): moves the calling thread (only it) into the namespace {@code fd} refers to. */
    public static int setns(int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(CALL_STATE.get(), fd, nstype);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(CALL_STATE.get(), initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's own strerror text (for comparing with {@link Errno}; not thread-safe in C). */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
