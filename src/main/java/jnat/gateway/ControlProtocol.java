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
 */
public final class ControlProtocol {
    private ControlProtocol() {}

    /** "jnc1": refuses a peer that speaks something else (or an older format). */
    public static final int MAGIC = 0x6a6e6331;
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
