package jnat.gateway;

import jnat.conntrack.ConntrackTool;
import jnat.rules.Iptables;
import jnat.rules.Restore;
import jnat.rules.RuleError;
import jnat.rules.Ruleset;

import java.util.List;

/**
 * What the control socket runs: {@code iptables ARGS}, {@code iptables-save [-c] [-t TABLE]},
 * {@code iptables-restore [-n] [-c] [-t]} with the dump as stdin, and {@code conntrack ARGS},
 * each against the running gateway's engine, between two packets.
 *
 * <p>Rule changes are atomic as iptables-restore's are in the kernel (one table replacement):
 * the command runs on a copy of the ruleset (counters as of now), and the copy replaces the live
 * ruleset only when the command succeeded and changed something. A failing command changes nothing.
 */
public final class GatewayControl implements ControlServer.Handler {
    private final Gateway gateway;

    public GatewayControl(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public ControlProtocol.Reply handle(ControlProtocol.Request request) {
        List<String> argv = request.argv();
        if (argv.isEmpty()) return ControlProtocol.Reply.error(2, "jnat gateway: empty control request\n");
        List<String> args = argv.subList(1, argv.size());
        return switch (argv.getFirst()) {
            case "iptables" -> iptables(args);
            case "iptables-save" -> save(args);
            case "iptables-restore" -> restore(args, request.stdin() == null ? "" : request.stdin());
            case "conntrack" -> conntrack(args);
            default -> ControlProtocol.Reply.error(2, "jnat gateway: unknown control command " + argv.getFirst()
                    + " (iptables, iptables-save, iptables-restore, conntrack)\n");
        };
    }

    private ControlProtocol.Reply iptables(List<String> args) {
        return gateway.withEngine(engine -> {
            Ruleset work = engine.ruleset().copy();
            Iptables.Result r;
            try {
                r = Iptables.run(work, args);
            } catch (RuleError e) {
                return ruleError("iptables", e);
            }
            if (r.changed()) engine.setRuleset(work);
            return ControlProtocol.Reply.ok(r.output());
        });
    }

    private ControlProtocol.Reply save(List<String> args) {
        boolean counters = false;
        String table = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-c", "--counters" -> counters = true;
                case "-t", "--table" -> {
                    if (++i >= args.size()) return ControlProtocol.Reply.error(2, "iptables-save: -t needs a table\n");
                    table = args.get(i);
                }
                default -> {
                    return ControlProtocol.Reply.error(2, "iptables-save: unknown argument " + args.get(i) + "\n");
                }
            }
        }
        boolean withCounters = counters;
        String name = table;
        return gateway.withEngine(engine -> {
            Ruleset rs = engine.ruleset();
            if (name != null && rs.existing(name) == null) {
                if (!name.equals("nat") && !name.equals("filter") && !name.equals("mangle")) {
                    return ControlProtocol.Reply.error(1,
                            "iptables-save: Cannot initialize: Table does not exist (do you need to insmod?)\n");
                }
                // an empty builtin table, printed as iptables-save prints it (the live ruleset is not touched)
                rs = rs.copy();
                rs.table(name);
            }
            return ControlProtocol.Reply.ok(rs.save(name, withCounters, true));
        });
    }

    private ControlProtocol.Reply restore(List<String> args, String dump) {
        boolean noflush = false, counters = false, test = false;
        for (String a : args) {
            switch (a) {
                case "-n", "--noflush" -> noflush = true;
                case "-c", "--counters" -> counters = true;
                case "-t", "--test" -> test = true;
                default -> {
                    return ControlProtocol.Reply.error(2, "iptables-restore: unknown argument " + a + "\n");
                }
            }
        }
        boolean nf = noflush, c = counters, t = test;
        return gateway.withEngine(engine -> {
            Ruleset work = engine.ruleset().copy();
            try {
                Restore.apply(work, dump, nf, c);
            } catch (RuleError e) {
                return ruleError("iptables-restore", e);
            }
            if (!t) engine.setRuleset(work);
            return ControlProtocol.Reply.ok("");
        });
    }

    private ControlProtocol.Reply conntrack(List<String> args) {
        return gateway.withEngine(engine -> {
            ConntrackTool.Result r = ConntrackTool.run(engine.connections(), args, System.nanoTime());
            return new ControlProtocol.Reply(r.exitCode(), r.stdout(), r.stderr());
        });
    }

    private static ControlProtocol.Reply ruleError(String tool, RuleError e) {
        return ControlProtocol.Reply.error(e.exitCode(), tool + ": " + e.getMessage() + "\n");
    }
}
