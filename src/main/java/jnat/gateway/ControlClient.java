package jnat.gateway;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** Sends one command to a running gateway's control socket and returns its reply. */
public final class ControlClient {
    private ControlClient() {}

    /** Why a command could not be sent (no gateway there, or it hung up): one line for the user. */
    public static final class ControlException extends IOException {
        public ControlException(String message) {
            super(message);
        }
    }

    public static ControlProtocol.Reply call(Path socket, List<String> argv, String stdin) throws ControlException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new ControlException("cannot connect to control socket " + socket + ": " + reason(e)
                        + " (is jnat gateway running with --control " + socket + "?)");
            }
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            ControlProtocol.writeRequest(out, new ControlProtocol.Request(argv, stdin));
            ch.shutdownOutput();
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            return ControlProtocol.readReply(in);
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            throw new ControlException("control socket " + socket + ": " + reason(e));
        }
    }

    /**
     * Sends a command whose reply may be a stream ({@code conntrack -E}): frames go to {@code sink}
     * as they come, {@code started} runs when the stream begins. The connection stays open until the
     * stream ends; closing it (this process ending) tells the gateway to stop. Returns the exit code.
     */
    public static int stream(Path socket, List<String> argv, ControlProtocol.StreamSink sink, Runnable started)
            throws ControlException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new ControlException("cannot connect to control socket " + socket + ": " + reason(e)
                        + " (is jnat gateway running with --control " + socket + "?)");
            }
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            ControlProtocol.writeRequest(out, new ControlProtocol.Request(argv, null));
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            return ControlProtocol.readAny(in, sink, started);
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            throw new ControlException("control socket " + socket + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException || (e.getMessage() != null && e.getMessage().contains("No such file"))) {
            return "No such file or directory";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
