package jnat.linux;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The errors a user meets when TUN devices cannot be had, produced for real: a child JVM opens a
 * device without CAP_NET_ADMIN, as another user, or with /dev/net/tun hidden by a private mount.
 */
class TunOpenErrorsTest {
    private Netns ns;

    @BeforeEach
    void namespace() {
        Tools.requireRoot();
        Tools.require("ip");
        ns = Netns.create("tunerr");
    }

    @AfterEach
    void removeNamespace() {
        if (ns != null) ns.close();
    }

    /** Runs TunOpenProbe in the test namespace behind {@code wrapper}; returns its one line of output. */
    private Tools.Result probe(String... wrapper) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        cmd.addAll(List.of(wrapper));
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", "target/classes:target/test-classes",
                TunOpenProbe.class.getName(), "jprobe0"));
        return Tools.run(cmd, null);
    }

    @Test
    void rootWithoutCapNetAdminIsToldRootIsNeeded() {
        Tools.require("setpriv");
        var r = probe("setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", "--");
        assertEquals("TUNSETIFF jprobe0: Operation not permitted (EPERM); creating a TUN device needs root "
                + "(CAP_NET_ADMIN)", r.stdout().trim(), r.stderr());
        assertEquals(1, r.exitCode());
    }

    @Test
    void otherUserIsToldRootIsNeeded() {
        Tools.require("setpriv");
        var r = probe("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
        String out = r.stdout().trim();
        // /dev/net/tun is 0600 on some systems (EACCES at open) and 0666 on others (EPERM at TUNSETIFF)
        if (out.startsWith("open")) {
            assertEquals("open /dev/net/tun: Permission denied (EACCES); TUN devices need root (CAP_NET_ADMIN)", out);
        } else {
            assertEquals("TUNSETIFF jprobe0: Operation not permitted (EPERM); creating a TUN device needs root "
                    + "(CAP_NET_ADMIN)", out, r.stderr());
        }
        assertEquals(1, r.exitCode());
    }

    @Test
    void missingCloneDeviceIsToldTheDriverIsMissing() {
        Tools.require("unshare");
        List<String> cmd = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /dev/net && exec \"$0\" \"$@\"");
        var r = probe(cmd.toArray(String[]::new));
        assertEquals("open /dev/net/tun: No such file or directory (ENOENT); the TUN driver is missing "
                + "(modprobe tun; in a container, pass --device /dev/net/tun)", r.stdout().trim(), r.stderr());
        assertEquals(1, r.exitCode());
    }
}
