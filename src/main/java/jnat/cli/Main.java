package jnat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jnat} command line: one entry point, one subcommand per job. */
@Command(name = "jnat",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Linux netfilter NAT (iptables nat table with connection tracking) in user space.",
        subcommands = {
                CommandLine.HelpCommand.class,
                DemoCommand.class,
                ReplayCommand.class,
                TcpdumpCommand.class,
                IptablesCommand.class,
                IptablesSaveCommand.class,
                IptablesRestoreCommand.class,
                Ip6tablesCommand.class,
                Ip6tablesSaveCommand.class,
                Ip6tablesRestoreCommand.class,
                IpCommand.class,
                HostCommand.class,
                GatewayCommand.class,
                ConntrackCommand.class,
                NftCommand.class,
                IpsetCommand.class,
                NfacctCommand.class,
                BenchCommand.class,
                JmhCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code; tests call this in-process. */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::reportError);
        return cl;
    }

    /** Errors become one line on stderr and a non-zero exit, never a stack trace. */
    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        String msg = e.getMessage() != null ? e.getMessage() : e.toString();
        cl.getErr().println(cl.getCommandName() + ": " + msg);
        if (System.getenv("JNAT_DEBUG") != null) {
            e.printStackTrace(cl.getErr());
        }
        return e instanceof UsageError ue ? ue.exitCode() : 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jnat " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
