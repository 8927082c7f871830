package jnat.gateway;

import jnat.conntrack.ConntrackTool;
import jnat.rules.Iptables;
import jnat.rules.Restore;
import jnat.rules.RuleError;
import jnat.rules.Ruleset;
import jnat.rules.Table;
import jnat.nat.NatEngine;

import java.util.List;

/**
 * What the control socket runs: {@code iptables ARGS}, {@code iptables-save [-c] [-t TABLE]},
 * {@code iptables-restore [-n] [-c] [-t] [-T TABLE]} with the dump as stdin, the same three as
 * {@code ip6tables}, {@code ip6tables-save} and {@code ip6tables-restore} on the engine's IPv6
 * ruleset, {@code nft ARGS} on its nf_tables ruleset (nft -f's file sent as stdin), {@code ipset ARGS} on its sets, and {@code conntrack ARGS} (both families' connections; {@code -f ipv6} picks one),
 * each against the running gateway's engine, between two packets.
 *
 * <p>Rule changes are atomic as iptables-restore's are in the kernel (one table replacement):
 * the command runs on a copy of the ruleset (counters as of now), and the copy replaces the live
 * ruleset only when the command succeeded and changed something. A failing command changes nothing,
 * and neither does a ruleset the engine refuses (refused with its reason).
 */
public final class GatewayControl implements ControlServer.Handler {
    private final Gateway gateway;
    private final CtnetlinkEvents events;
    /** The portid of each conntrack request: what its events carry ([USERSPACE] portid=N in conntrack -E). */
    private final java.util.concurrent.atomic.AtomicInteger portids = new java.util.concurrent.atomic.AtomicInteger();

    public GatewayControl(Gateway gateway) {
        this.gateway = gateway;
        this.events = new CtnetlinkEvents(gateway);
    }

    /** {@code conntrack -E} streams. */
    @Override
    public boolean streams(ControlProtocol.Request request) {
        List<String> argv = request.argv();
        // a bad -E command line gets conntrack's one reply (its error), not a stream
        return !argv.isEmpty() && argv.getFirst().equals("conntrack") && ConntrackTool.isEvents(argv.subList(1, argv.size()))
                && ConntrackTool.events(argv.subList(1, argv.size())).error() == null;
    }

    /**
     * {@code conntrack -E ...}: a listener on the engine's events until the client hangs up or the
     * gateway stops; its queue overrunning costs the packet path nothing (the event is dropped).
     */
    @Override
    public int stream(ControlProtocol.Request request, ControlServer.Stream out, java.util.function.BooleanSupplier ended) {
        List<String> argv = request.argv();
        ConntrackTool.Events ev = ConntrackTool.events(argv.subList(1, argv.size()));
        if (ev.error() != null) {
            out.stderr(ev.error().stderr());
            return ev.error().exitCode();
        }
        String pre = ev.preamble();
        if (!pre.isEmpty()) out.stderr(pre);
        CtnetlinkEvents.Listener l = events.attach(ev, CtnetlinkEvents.QUEUE);
        try {
            int n = CtnetlinkEvents.drain(l, out, ended);
            out.stderr(ConntrackTool.Events.summary(n));
        } finally {
            events.detach(l);
        }
        return 0;
    }

    /** The conntrack -E listeners attached now. */
    public int listeners() {
        return events.listeners();
    }

    /** The events the gateway's conntrack -E listeners lost to full queues. */
    public long eventsDropped() {
        return events.dropped();
    }

    @Override
    public ControlProtocol.Reply handle(ControlProtocol.Request request) {
        List<String> argv = request.argv();
        if (argv.isEmpty()) return ControlProtocol.Reply.error(2, "jnat gateway: empty control request\n");
        List<String> args = argv.subList(1, argv.size());
        String stdin = request.stdin() == null ? "" : request.stdin();
        return switch (argv.getFirst()) {
            case "iptables" -> iptables(args, false);
            case "iptables-save" -> save(args, false);
            case "iptables-restore" -> restore(args, stdin, false);
            case "ip6tables" -> iptables(args, true);
            case "ip6tables-save" -> save(args, true);
            case "ip6tables-restore" -> restore(args, stdin, true);
            case "conntrack" -> conntrack(args);
            case "nft" -> nft(args, request.stdin());
            case "ipset" -> gateway.withEngine(engine -> {
                // between two packets, on the sets the rules look up (each command atomic, as the kernel's)
                jnat.ipset.Ipset.Result r = jnat.ipset.Ipset.run(engine.xtNet().ipset(), args, request.stdin());
                return new ControlProtocol.Reply(r.exitCode(), r.out(), r.err());
            });
            case "nfacct" -> gateway.withEngine(engine -> {
                // between two packets, on the objects the -m nfacct rules count into (each command one nfnetlink request)
                jnat.rules.Nfacct.Result r = jnat.rules.Nfacct.run(engine.xtNet().acct(), args, request.stdin());
                return new ControlProtocol.Reply(r.exitCode(), r.out(), r.err());
            });
            default -> ControlProtocol.Reply.error(2, "jnat gateway: unknown control command " + argv.getFirst()
                    + " (iptables, iptables-save, iptables-restore, ip6tables, ip6tables-save, ip6tables-restore, conntrack, nft, ipset, nfacct)\n");
        };
    }

    /**
     * {@code nft ARGS} (with -f's file as {@code fileText}) on the engine's nf_tables ruleset, as nf_tables'
     * commit: one transaction on a copy (sharing the rules' counters), swapped in whole between two packets
     * when it passed and changed something; nft's messages and nothing changed when it did not, or when the
     * engine refuses the result.
     */
    private ControlProtocol.Reply nft(List<String> args, String fileText) {
        return gateway.withEngine(engine -> {
            jnat.nft.NftRuleset live = engine.nftRuleset();
            jnat.nft.NftRuleset work = live == null ? new jnat.nft.NftRuleset() : live.copy();
            // -f FILE travels as the request's stdin: the gateway reads nothing of its own disk for a client
            jnat.nft.Nft.Result r = jnat.nft.Nft.run(work, args, fileText == null ? "" : fileText);
            if (r.exitCode() == 0 && r.changed()) {
                try {
                    engine.setNftRuleset(work);
                } catch (IllegalArgumentException e) {
                    return ControlProtocol.Reply.error(1, "nft: " + e.getMessage() + "\n");
                }
            }
            return new ControlProtocol.Reply(r.exitCode(), r.out(), r.err());
        });
    }

    private static Ruleset live(NatEngine engine, boolean ipv6) {
        return ipv6 ? engine.ruleset6() : engine.ruleset();
    }

    /** Makes {@code work} the live ruleset of its family; the reason when the engine refuses it (nothing changed then). */
    private static String install(NatEngine engine, Ruleset work) {
        try {
            if (work.ipv6) engine.setRuleset6(work);
            else engine.setRuleset(work);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private ControlProtocol.Reply iptables(List<String> args, boolean ipv6) {
        String tool = ipv6 ? "ip6tables" : "iptables";
        return gateway.withEngine(engine -> {
            Ruleset work = live(engine, ipv6).copy();
            Iptables.Result r;
            try {
                r = Iptables.run(work, args);
            } catch (RuleError e) {
                return ruleError(tool, e);
            }
            if (r.changed()) {
                String refused = install(engine, work);
                if (refused != null) return ControlProtocol.Reply.error(1, tool + ": " + refused + "\n");
            }
            return ControlProtocol.Reply.ok(r.output());
        });
    }

    private ControlProtocol.Reply save(List<String> args, boolean ipv6) {
        String tool = ipv6 ? "ip6tables-save" : "iptables-save";
        boolean counters = false;
        String table = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-c", "--counters" -> counters = true;
                case "-t", "--table" -> {
                    if (++i >= args.size()) return ControlProtocol.Reply.error(2, tool + ": -t needs a table\n");
                    table = args.get(i);
                }
                default -> {
                    return ControlProtocol.Reply.error(2, tool + ": unknown argument " + args.get(i) + "\n");
                }
            }
        }
        boolean withCounters = counters;
        String name = table;
        return gateway.withEngine(engine -> {
            Ruleset rs = live(engine, ipv6);
            if (name != null && rs.existing(name) == null) {
                if (ipv6 && Table.create(name) == null) {
                    return ControlProtocol.Reply.error(1, "ip6tables-save: Table `" + name + "' does not exist\n"); // as 1.8.9
                }
                if (!ipv6 && !name.equals("nat") && !name.equals("filter") && !name.equals("mangle")) {
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

    private ControlProtocol.Reply restore(List<String> args, String dump, boolean ipv6) {
        String tool = ipv6 ? "ip6tables-restore" : "iptables-restore";
        boolean noflush = false, counters = false, test = false;
        String table = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-n", "--noflush" -> noflush = true;
                case "-c", "--counters" -> counters = true;
                case "-t", "--test" -> test = true;
                case "-T", "--table" -> {
                    if (++i >= args.size()) return ControlProtocol.Reply.error(2, tool + ": -T needs a table\n");
                    table = args.get(i);
                }
                default -> {
                    return ControlProtocol.Reply.error(2, tool + ": unknown argument " + args.get(i) + "\n");
                }
            }
        }
        boolean nf = noflush, c = counters, t = test;
        String only = table;
        return gateway.withEngine(engine -> {
            Ruleset work = live(engine, ipv6).copy();
            try {
                // ip6tables-restore 1.8.9 keeps no rule counters, only the policies' (as the file mode)
                Restore.apply(work, dump, nf, c, only, !ipv6);
            } catch (RuleError e) {
                return ruleError(tool, e);
            }
            if (!t) {
                String refused = install(engine, work);
                if (refused != null) return ControlProtocol.Reply.error(1, tool + ": " + refused + "\n");
            }
            return ControlProtocol.Reply.ok("");
        });
    }

    private ControlProtocol.Reply conntrack(List<String> args) {
        return gateway.withEngine(engine -> {
            ConntrackTool.Result r = ConntrackTool.run(engine.connections(), args, System.nanoTime(), portids.incrementAndGet());
            return new ControlProtocol.Reply(r.exitCode(), r.stdout(), r.stderr());
        });
    }

    private static ControlProtocol.Reply ruleError(String tool, RuleError e) {
        return ControlProtocol.Reply.error(e.exitCode(), tool + ": " + e.getMessage() + "\n");
    }
}
