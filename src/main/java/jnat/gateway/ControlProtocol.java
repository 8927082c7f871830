package jnat.gateway;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The control socket's wire format: one request and one reply per connection, big-endian,
 * length-prefixed. A request is a command line (as the user typed it after {@code --control
 * SOCKET}) plus the command's stdin; a reply is what the command would have printed and its exit code.
 *
 * <pre>
 * request: int MAGIC, int argc, argc × string, int stdinLength (-1: none), stdin bytes
 * reply:   int MAGIC, int exitCode, string stdout, string stderr
 * string:  int length, UTF-8 bytes
 * </pre>
 *
 * <p>A command whose output never ends ({@code conntrack -E}) gets a stream instead of a reply:
 * {@code int STREAM_MAGIC}, then frames {@code byte 1, string} (stdout) or {@code byte 2, string}
 * (stderr), until {@code byte 0, int exitCode}. The client keeps its side open while it listens; its
 * closing the connection (Ctrl-C, EOF) ends the stream.
 */
public final class ControlProtocol {
    private ControlProtocol() {}

    /** "jnc1": refuses a peer that speaks something else (or an older format). */
    public static final int MAGIC = 0x6a6e6331;
    /** "jns1": a streamed reply. */
    public static final int STREAM_MAGIC = 0x6a6e7331;
    public static final int FRAME_END = 0, FRAME_STDOUT = 1, FRAME_STDERR = 2;
    /** The longest string accepted (an iptables-restore dump of a few hundred thousand rules). */
    public static final int MAX_STRING = 64 << 20;
    public static final int MAX_ARGS = 4096;

    public record Request(List<String> argv, String stdin) {
        public Request {
            argv = List.copyOf(argv);
        }
    }

    public record Reply(int exitCode, String stdout, String stderr) {
        public static Reply ok(String stdout) {
            return new Reply(0, stdout, "");
        }

        public static Reply error(int exitCode, String stderr) {
            return new Reply(exitCode, "", stderr);
        }
    }

    /** A request or reply that does not follow the format. */
    public static final class MalformedException extends IOException {
        public MalformedException(String message) {
            super(message);
        }
    }

    public static void writeRequest(DataOutputStream out, Request r) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(r.argv().size());
        for (String a : r.argv()) writeString(out, a);
        if (r.stdin() == null) {
            out.writeInt(-1);
        } else {
            writeString(out, r.stdin());
        }
        out.flush();
    }

    public static Request readRequest(DataInputStream in) throws IOException {
        magic(in);
        int argc = readInt(in);
        if (argc < 0 || argc > MAX_ARGS) throw new MalformedException("bad argument count " + argc);
        List<String> argv = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) argv.add(readString(in, false));
        String stdin = readString(in, true);
        return new Request(argv, stdin);
    }

    public static void writeReply(DataOutputStream out, Reply r) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(r.exitCode());
        writeString(out, r.stdout());
        writeString(out, r.stderr());
        out.flush();
    }

    public static Reply readReply(DataInputStream in) throws IOException {
        magic(in);
        int exit = readInt(in);
        return new Reply(exit, readString(in, false), readString(in, false));
    }

    /** Where a streamed reply's frames go. */
    public interface StreamSink {
        void stdout(String s);

        void stderr(String s);
    }

    public static void writeStreamStart(DataOutputStream out) throws IOException {
        out.writeInt(STREAM_MAGIC);
        out.flush();
    }

    public static void writeFrame(DataOutputStream out, int kind, String s) throws IOException {
        out.writeByte(kind);
        writeString(out, s);
        out.flush();
    }

    public static void writeEnd(DataOutputStream out, int exitCode) throws IOException {
        out.writeByte(FRAME_END);
        out.writeInt(exitCode);
        out.flush();
    }

    /**
     * Reads a reply, one-shot or streamed: a one-shot reply is handed to {@code sink} whole; a stream
     * frame by frame as it arrives ({@code started} runs first). Returns the exit code.
     */
    public static int readAny(DataInputStream in, StreamSink sink, Runnable started) throws IOException {
        int m;
        try {
            m = in.readInt();
        } catch (EOFException e) {
            throw new MalformedException("empty message");
        }
        if (m == MAGIC) {
            int exit = readInt(in);
            sink.stdout(readString(in, false));
            sink.stderr(readString(in, false));
            return exit;
        }
        if (m != STREAM_MAGIC) throw new MalformedException(String.format("bad magic 0x%08x", m));
        started.run();
        while (true) {
            int kind;
            try {
                kind = in.readByte();
            } catch (EOFException e) {
                throw new MalformedException("stream cut short");
            }
            switch (kind) {
                case FRAME_END -> { return readInt(in); }
                case FRAME_STDOUT -> sink.stdout(readString(in, false));
                case FRAME_STDERR -> sink.stderr(readString(in, false));
                default -> throw new MalformedException("bad frame " + kind);
            }
        }
    }

    private static void magic(DataInputStream in) throws IOException {
        int m;
        try {
            m = in.readInt();
        } catch (EOFException e) {
            throw new MalformedException("empty message");
        }
        if (m != MAGIC) throw new MalformedException(String.format("bad magic 0x%08x", m));
    }

    /** A count or exit code; cut short it is malformed like any other truncation (not a bare EOF). */
    private static int readInt(DataInputStream in) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new MalformedException("truncated message");
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in, boolean nullable) throws IOException {
        int len;
        byte[] b;
        try {
            len = in.readInt();
            if (len == -1 && nullable) return null;
            if (len < 0 || len > MAX_STRING) throw new MalformedException("bad string length " + len);
            b = in.readNBytes(len);
        } catch (EOFException e) {
            throw new MalformedException("truncated message");
        }
        if (b.length != len) throw new MalformedException("truncated message");
        return new String(b, StandardCharsets.UTF_8);
    }
}
