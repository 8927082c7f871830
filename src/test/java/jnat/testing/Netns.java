package jnat.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test creates for itself and deletes when closed. Names carry the
 * process id so concurrent runs never meet. Nothing in it has a route to a real network.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates a fresh namespace named jnat-PREFIX-PID-N (skips or fails without root/ip). */
    public static Netns create(String prefix) {
        Tools.requireRoot();
        Tools.require("ip");
        String name = "jnat-" + prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        Tools.run("ip", "netns", "add", name).checked();
        Netns ns = new Netns(name);
        ns.exec("ip", "link", "set", "lo", "up").checked();
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace. */
    public Tools.Result exec(String... cmd) {
        return execIn(null, cmd);
    }

    /** Runs a command inside the namespace with stdin. */
    public Tools.Result execIn(String stdin, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return Tools.run(full, stdin);
    }

    @Override
    public void close() {
        Tools.run("ip", "netns", "del", name);
    }
}
