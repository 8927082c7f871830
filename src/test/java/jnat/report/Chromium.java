package jnat.report;

import jnat.testing.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's chromium, headless: loads a page from a file, lets its script run (virtual time), and
 * returns the DOM it ended with and what the page wrote to its console (errors included, as
 * "CONSOLE" lines of --enable-logging).
 */
final class Chromium {
    record Page(String dom, List<String> console) {}

    private Chromium() {}

    static void require() {
        Tools.require("chromium");
    }

    static Page load(Path html, String hash, Path profile) throws IOException {
        Files.createDirectories(profile);
        String url = html.toUri() + (hash == null ? "" : "#" + hash);
        Tools.Result r = Tools.run(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=30000",
                "--dump-dom", url), null);
        if (r.exitCode() != 0) throw new AssertionError("chromium exit " + r.exitCode() + ": " + r.stderr());
        List<String> console = r.stderr().lines().filter(l -> l.contains(":CONSOLE")).toList();
        return new Page(r.stdout(), console);
    }

    /** A screenshot of the page's first {@code height} pixels. */
    static void screenshot(Path html, String hash, Path png, int width, int height, Path profile) throws IOException {
        Files.createDirectories(profile);
        Tools.run(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--virtual-time-budget=30000", "--window-size=" + width + "," + height,
                "--screenshot=" + png, html.toUri() + (hash == null ? "" : "#" + hash)), null).checked();
    }
}
