package jnat.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of a jnat command in this JVM, as a user would type it: exit status, stdout, stderr. */
public record CliRun(int exit, String out, String err) {
    public static CliRun jnat(String... args) {
        var cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
