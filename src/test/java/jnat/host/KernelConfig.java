package jnat.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build options where its answers depend on them (/proc/config.gz, present
 * with CONFIG_IKCONFIG_PROC): a comparison with the kernel tells jnat which kernel it is compared
 * with. Without the file, a distribution kernel's options are assumed.
 */
final class KernelConfig {
    private KernelConfig() {}

    private static final String CONFIG = read();

    /** CONFIG_IPV6_MROUTE: ip -6 route get of a multicast input route asks the multicast routing cache. */
    static final boolean IPV6_MROUTE = CONFIG == null || CONFIG.contains("\nCONFIG_IPV6_MROUTE=y");

    private static String read() {
        Path p = Path.of("/proc/config.gz");
        if (!Files.isReadable(p)) return null;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return "\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
