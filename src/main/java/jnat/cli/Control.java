package jnat.cli;

import jnat.gateway.ControlClient;
import jnat.gateway.ControlProtocol;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The --control SOCKET side of the iptables and conntrack commands: send the command line, print the reply. */
final class Control {
    private Control() {}

    /** Exactly one of --rules FILE and --control SOCKET. */
    static void requireOne(Path rules, Path control) {
        if ((rules == null) == (control == null)) {
            throw new UsageError("give either --rules FILE (a rules file) or --control SOCKET (a running gateway)", 2);
        }
    }

    /**
     * jnat's own usage for a pass-through command given neither a file nor a socket: {@code --help}
     * or {@code -h} prints it (exit 0), no arguments at all print it as an error (exit 2); anything
     * else returns -1 and the caller asks for the file or socket.
     */
    static int usageIfAsked(CommandLine cl, List<String> args) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            cl.usage(cl.getOut());
            cl.getOut().flush();
            return 0;
        }
        if (args.isEmpty()) {
            cl.usage(cl.getErr());
            cl.getErr().flush();
            return 2;
        }
        return -1;
    }

    /** Runs {@code tool args...} in the gateway behind {@code socket}; prints its output; returns its exit code. */
    static int run(CommandLine cl, Path socket, String tool, List<String> args, String stdin) {
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        argv.addAll(args);
        ControlProtocol.Reply r;
        try {
            r = ControlClient.call(socket, argv, stdin);
        } catch (ControlClient.ControlException e) {
            throw new UsageError(e.getMessage());
        }
        return print(cl, r.stdout(), r.stderr(), r.exitCode());
    }

    /** Prints a tool's output and error text as it gave them; returns its exit code. */
    static int print(CommandLine cl, String stdout, String stderr, int exitCode) {
        var out = cl.getOut();
        out.print(stdout);
        out.flush();
        var err = cl.getErr();
        err.print(stderr);
        err.flush();
        return exitCode;
    }

    /** The whole standard input (a restore's text), as UTF-8. */
    static String readStdin() {
        try {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageError("cannot read standard input: " + e.getMessage());
        }
    }
}
