package jnat.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Gives jnat iptables-restore a dump as its stdin for tests in other packages. */
public final class IptablesRestoreStdin {
    private IptablesRestoreStdin() {}

    public static synchronized void with(String dump, Runnable r) {
        InputStream saved = IptablesRestoreCommand.stdin;
        IptablesRestoreCommand.stdin = new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            IptablesRestoreCommand.stdin = saved;
        }
    }
}
