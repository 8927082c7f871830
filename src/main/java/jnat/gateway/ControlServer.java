package jnat.gateway;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The gateway's Unix domain control socket: accepts connections, reads one request from each,
 * hands it to the {@link Handler} and writes the reply. A malformed request gets an error reply
 * (exit 2) and reaches no handler. The socket file is mode 0600: whoever may write to it may
 * change the NAT rules.
 */
public final class ControlServer implements AutoCloseable {
    /** Runs one command; must be thread-safe (connections are served concurrently). */
    @FunctionalInterface
    public interface Handler {
        ControlProtocol.Reply handle(ControlProtocol.Request request);

        /** Whether {@code request}'s reply is a stream ({@link #stream}) rather than one reply. */
        default boolean streams(ControlProtocol.Request request) {
            return false;
        }

        /**
         * Runs a streaming command: writes to {@code out} until {@code ended} says the client went
         * away or the server closed; returns the exit code.
         */
        default int stream(ControlProtocol.Request request, Stream out, java.util.function.BooleanSupplier ended) {
            return 2;
        }
    }

    /** A stream's writer: frames go out whole, each flushed (an IOException: the client is gone). */
    public static final class Stream {
        private final DataOutputStream out;
        private volatile boolean broken;

        Stream(DataOutputStream out) {
            this.out = out;
        }

        public synchronized void stdout(String s) {
            frame(ControlProtocol.FRAME_STDOUT, s);
        }

        public synchronized void stderr(String s) {
            frame(ControlProtocol.FRAME_STDERR, s);
        }

        private void frame(int kind, String s) {
            if (broken) return;
            try {
                ControlProtocol.writeFrame(out, kind, s);
            } catch (IOException e) {
                broken = true;
            }
        }

        public boolean broken() {
            return broken;
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().daemon().name("jnat-control").unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code path} and starts serving. A leftover socket file nobody listens on (a gateway
     * that was killed) is replaced; one a live gateway listens on is an error.
     */
    public static ControlServer start(Path path, Handler handler) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocketFile(path)) throw new IOException(path + " exists and is not a socket");
            if (listening(path)) throw new IOException(path + " is in use by a running gateway");
            Files.delete(path);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        ControlServer s = new ControlServer(path, ch, handler);
        s.acceptor.start();
        return s;
    }

    private static boolean isSocketFile(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000; // S_IFSOCK
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean listening(Path path) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            Thread.ofVirtual().name("jnat-control-conn").start(() -> serve(c));
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(c)));
            ControlProtocol.Request req;
            try {
                req = ControlProtocol.readRequest(new DataInputStream(new BufferedInputStream(Channels.newInputStream(c))));
            } catch (ControlProtocol.MalformedException e) {
                ControlProtocol.writeReply(out, ControlProtocol.Reply.error(2,
                        "jnat gateway: malformed control request: " + e.getMessage() + "\n"));
                return;
            }
            if (handler.streams(req)) {
                stream(c, req, out);
                return;
            }
            ControlProtocol.Reply reply;
            try {
                reply = handler.handle(req);
            } catch (RuntimeException e) {
                reply = ControlProtocol.Reply.error(1, "jnat gateway: " + e + "\n");
            }
            ControlProtocol.writeReply(out, reply);
        } catch (IOException ignored) {
            // the client went away; nothing was changed on its behalf that it must hear about
        }
    }

    /**
     * A streamed reply: the client's closing its side (read returns EOF) or the server's closing
     * ends it; meanwhile the handler writes frames.
     */
    private void stream(SocketChannel c, ControlProtocol.Request req, DataOutputStream out) throws IOException {
        ControlProtocol.writeStreamStart(out);
        Stream s = new Stream(out);
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watcher = Thread.ofVirtual().name("jnat-control-eof").start(() -> {
            // straight on the channel (its read lock, not the streams' blocking lock the writer takes)
            var buf = java.nio.ByteBuffer.allocate(64);
            try {
                while (c.read(buf.clear()) >= 0) { } // nothing more is expected from the client: wait for its EOF
            } catch (IOException ignored) {
            }
            gone.set(true);
        });
        int exit;
        try {
            exit = handler.stream(req, s, () -> gone.get() || closed || s.broken());
        } catch (RuntimeException e) {
            s.stderr("jnat gateway: " + e + "\n");
            exit = 1;
        }
        if (!gone.get()) {
            synchronized (s) {
                ControlProtocol.writeEnd(out, exit);
            }
        }
        watcher.interrupt();
    }

    /** Stops accepting and removes the socket file. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
        }
    }
}
