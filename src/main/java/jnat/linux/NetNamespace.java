package jnat.linux;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}) without moving the whole
 * process: a fresh platform thread calls setns(2), which changes only that thread, runs the code,
 * and ends. File descriptors it opens (TUN queues, sockets) keep their namespace afterwards and
 * can be used from any thread, so a TUN device can be created directly where it belongs.
 */
public final class NetNamespace {
    private NetNamespace() {}

    /** Where iproute2 keeps named namespaces. */
    public static final String NETNS_RUN_DIR = "/var/run/netns/";

    /** Calls {@code body} in namespace {@code name} (a name under /var/run/netns, or a path). */
    public static <T> T call(String name, Callable<T> body) throws Exception {
        String path = name.startsWith("/") ? name : NETNS_RUN_DIR + name;
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(path);
                result.set(body.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) throw failure.get();
        return result.get();
    }

    /** A TUN device created (or opened) in namespace {@code name}; see {@link TunDevice#open(String, int)}. */
    public static TunDevice openTun(String name, String device, int queues) throws ErrnoException {
        return openTun(name, device, queues, false);
    }

    /** As {@link #openTun(String, String, int)}, with IFF_VNET_HDR and offloads: see {@link TunDevice#open(String, int, boolean)}. */
    public static TunDevice openTun(String name, String device, int queues, boolean vnetHdr) throws ErrnoException {
        try {
            return call(name, () -> TunDevice.open(device, queues, vnetHdr));
        } catch (ErrnoException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void enter(String path) throws ErrnoException {
        int fd = Libc.open(path, Libc.O_CLOEXEC); // O_RDONLY
        if (fd < 0) {
            int errno = Libc.errno();
            throw new ErrnoException("open", path, errno,
                    errno == Errno.ENOENT ? "no such network namespace (ip netns list)" : null);
        }
        try {
            if (Libc.setns(fd, Libc.CLONE_NEWNET) < 0) {
                int errno = Libc.errno();
                throw new ErrnoException("setns", path, errno,
                        errno == Errno.EPERM ? "entering a network namespace needs root (CAP_SYS_ADMIN)" : null);
            }
        } finally {
            Libc.close(fd);
        }
    }
}
