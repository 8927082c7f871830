package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The iptables command (iptables 1.8's do_command4): parses one command line and applies it to a
 * {@link Ruleset}. Listings are appended to an output buffer; errors are {@link RuleError}s with
 * iptables' messages.
 */
public final class Iptables {
    private Iptables() {}

    private static final String NAT_DROP =
            "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.";

    private static final String SHORT_WITH_ARG = "AIDRNXEFZPLSCtsdiopmjgcwW";

    /** The outcome of one command: its output and whether the ruleset changed. */
    public record Result(String output, boolean changed) {}

    /** Parsed command line. */
    private static final class Cmd {
        char command;
        char extraCommand; // -Z with -L
        String chain, chain2, ruleNumber;
        String table;
        int fmt;
        boolean verbose;
        // the rule
        final RuleSpec spec = new RuleSpec();
        final List<String> srcs = new ArrayList<>(), dsts = new ArrayList<>();
        String inIface = "", outIface = "";
        boolean fragment, protoGiven;
        final List<ModuleParser> matchParsers = new ArrayList<>();
        final List<String> matchNames = new ArrayList<>();
        String jumpName;
        boolean isGoto;
        ModuleParser targetParser;
        long[] counters;
        /** ip6tables (IPv6 rules) rather than iptables. */
        boolean ipv6;
        /** A restore line for the other family (-4 in ip6tables-restore): skipped whole. */
        boolean otherFamily;
        /** iptables-restore checks the whole table at COMMIT, not after each rule. */
        boolean deferValidation;
    }

    /** Runs one iptables command line against {@code rs}; {@code fixedTable} is set by iptables-restore. */
    public static Result run(Ruleset rs, List<String> argv) {
        return run(rs, argv, null, null, !rs.ipv6);
    }

    /**
     * As iptables-restore runs a rule line. {@code ruleCounters} false drops a rule's counters ("[p:b]"
     * and -c), as ip6tables 1.8.9 (nf_tables) does: its rules always start at 0 (policies keep theirs).
     */
    static Result run(Ruleset rs, List<String> argv, String fixedTable, long[] restoreCounters, boolean ruleCounters) {
        Cmd cmd = parse(new Args(new ArrayList<>(argv)), fixedTable != null, rs.ipv6, rs.sets, rs.acct);
        cmd.spec.ruleset = rs;
        if (cmd.otherFamily) return new Result("", false); // ip6tables-restore skips a -4 line, iptables-restore a -6 one
        if (fixedTable != null) {
            cmd.table = fixedTable;
            cmd.deferValidation = true;
        }
        if (cmd.table == null) cmd.table = "filter";
        if (restoreCounters != null && cmd.counters == null) cmd.counters = restoreCounters;
        if (!ruleCounters && cmd.command != 'P') cmd.counters = null;
        Table t = rs.table(cmd.table);
        if (t == null) {
            throw new RuleError("table '" + cmd.table + "' does not exist", 3);
        }
        boolean compiled = fixedTable == null && t.compiled();
        try {
            return execute(t, cmd);
        } finally {
            // a compiled (live) table changed is compiled again here, before a packet walks it, as
            // do_replace translates the new blob (iptables-restore: at COMMIT)
            if (compiled) t.compile();
        }
    }

    private static Cmd parse(Args args, boolean inRestore, boolean ipv6, jnat.ipset.IpSetCore sets, NfnlAcct acct) {
        Cmd c = new Cmd();
        c.ipv6 = ipv6;
        c.spec.ipv6 = ipv6;
        c.spec.sets = sets;
        c.spec.acct = acct;
        boolean invert = false;
        while (args.hasNext() && !c.otherFamily) {
            String tok = args.next();
            if (tok.equals("!")) {
                if (invert) throw new RuleError("multiple consecutive ! not allowed");
                invert = true;
                continue;
            }
            if (tok.startsWith("--") && tok.length() > 2) {
                String opt = tok;
                int eq = tok.indexOf('=');
                if (eq > 0) {
                    opt = tok.substring(0, eq);
                    args.push(tok.substring(eq + 1));
                }
                option(c, longName(opt), opt, invert, args, inRestore);
                invert = false;
            } else if (tok.startsWith("-") && tok.length() > 1) {
                for (int i = 1; i < tok.length(); i++) {
                    char ch = tok.charAt(i);
                    String rest = tok.substring(i + 1);
                    if (SHORT_WITH_ARG.indexOf(ch) >= 0 && !rest.isEmpty() && ch != 'L' && ch != 'S' && ch != 'Z'
                            && ch != 'F' && ch != 'X') {
                        args.push(rest);
                        option(c, shortName(ch), "-" + ch, invert, args, inRestore);
                        invert = false;
                        break;
                    }
                    option(c, shortName(ch), "-" + ch, invert, args, inRestore);
                    invert = false;
                }
            } else {
                throw new RuleError("Bad argument `" + tok + "'");
            }
        }
        if (invert) throw new RuleError("! without an option to invert");
        return c;
    }

    private static String shortName(char ch) {
        return switch (ch) {
            case 'A' -> "--append";
            case 'I' -> "--insert";
            case 'D' -> "--delete";
            case 'R' -> "--replace";
            case 'N' -> "--new-chain";
            case 'X' -> "--delete-chain";
            case 'E' -> "--rename-chain";
            case 'F' -> "--flush";
            case 'Z' -> "--zero";
            case 'P' -> "--policy";
            case 'L' -> "--list";
            case 'S' -> "--list-rules";
            case 'C' -> "--check";
            case 't' -> "--table";
            case 'n' -> "--numeric";
            case 'v' -> "--verbose";
            case 'x' -> "--exact";
            case 's' -> "--source";
            case 'd' -> "--destination";
            case 'i' -> "--in-interface";
            case 'o' -> "--out-interface";
            case 'p' -> "--protocol";
            case 'f' -> "--fragment";
            case 'm' -> "--match";
            case 'j' -> "--jump";
            case 'g' -> "--goto";
            case 'c' -> "--set-counters";
            case 'w' -> "--wait";
            case 'W' -> "--wait-interval";
            case '4' -> "--ipv4";
            case '6' -> "--ipv6";
            default -> throw new RuleError("unknown option \"-" + ch + "\"");
        };
    }

    private static String longName(String opt) {
        return switch (opt) {
            case "--src" -> "--source";
            case "--dst" -> "--destination";
            default -> opt;
        };
    }

    private static void command(Cmd c, char letter, boolean invert) {
        if (invert) throw new RuleError("cannot have ! before -" + letter);
        if (c.command != 0) {
            if ((c.command == 'L' && letter == 'Z') || (c.command == 'Z' && letter == 'L')) {
                c.extraCommand = 'Z';
                c.command = 'L';
                return;
            }
            throw new RuleError("Cannot use -" + letter + " with -" + c.command);
        }
        c.command = letter;
    }

    private static void option(Cmd c, String name, String given, boolean invert, Args args, boolean inRestore) {
        switch (name) {
            case "--append" -> {
                command(c, 'A', invert);
                c.chain = args.value(given);
            }
            case "--check" -> {
                command(c, 'C', invert);
                c.chain = args.value(given);
            }
            case "--delete" -> {
                command(c, 'D', invert);
                c.chain = args.value(given);
                c.ruleNumber = args.optional();
            }
            case "--insert" -> {
                command(c, 'I', invert);
                c.chain = args.value(given);
                c.ruleNumber = args.optional();
            }
            case "--replace" -> {
                command(c, 'R', invert);
                c.chain = args.value(given);
                c.ruleNumber = args.optional();
                if (c.ruleNumber == null) throw new RuleError("-R requires a rule number");
            }
            case "--list" -> {
                command(c, 'L', invert);
                c.chain = c.chain != null ? c.chain : args.optional();
            }
            case "--list-rules" -> {
                command(c, 'S', invert);
                c.chain = args.optional();
                if (c.chain != null) c.ruleNumber = args.optional();
            }
            case "--flush" -> {
                command(c, 'F', invert);
                c.chain = args.optional();
            }
            case "--zero" -> {
                command(c, 'Z', invert);
                c.chain = c.chain != null ? c.chain : args.optional();
                if (c.chain != null && c.ruleNumber == null) c.ruleNumber = args.optional();
            }
            case "--new-chain" -> {
                command(c, 'N', invert);
                c.chain = args.value(given);
            }
            case "--delete-chain" -> {
                command(c, 'X', invert);
                c.chain = args.optional();
            }
            case "--rename-chain" -> {
                command(c, 'E', invert);
                c.chain = args.value(given);
                c.chain2 = args.optional();
                if (c.chain2 == null) throw new RuleError("-E requires old-chain-name and new-chain-name");
            }
            case "--policy" -> {
                command(c, 'P', invert);
                c.chain = args.value(given);
                c.chain2 = args.optional();
                if (c.chain2 == null) throw new RuleError("-P requires a chain and a policy");
            }
            case "--table" -> {
                if (invert) throw new RuleError("unexpected ! flag before --table");
                if (inRestore) throw new RuleError("The -t option cannot be used in iptables-restore.");
                if (c.table != null) throw new RuleError("multiple -t flags not allowed");
                c.table = args.value(given);
            }
            case "--numeric" -> c.fmt |= Listing.NUMERIC;
            case "--verbose" -> {
                c.fmt |= Listing.VERBOSE;
                c.verbose = true;
            }
            case "--exact" -> c.fmt |= Listing.EXACT;
            case "--line-numbers" -> c.fmt |= Listing.LINE_NUMBERS;
            case "--wait" -> args.optional();
            case "--wait-interval" -> args.value(given);
            case "--ipv4", "--ipv6" -> {
                // xshared.c: the own family is a no-op, the other one skips the line in a restore
                if (name.equals("--ipv6") == c.ipv6) break;
                if (inRestore) {
                    c.otherFamily = true;
                    break;
                }
                throw new RuleError("Try `" + (c.ipv6 ? "ip6tables" : "iptables") + " -h' or '"
                        + (c.ipv6 ? "ip6tables" : "iptables") + " --help' for more information.");
            }
            case "--source" -> {
                if (!c.srcs.isEmpty()) throw new RuleError("multiple -s flags not allowed");
                c.srcs.addAll(List.of(args.value(given).split(",")));
                if (invert) c.spec.invflags |= Rule.INV_SRCIP;
            }
            case "--destination" -> {
                if (!c.dsts.isEmpty()) throw new RuleError("multiple -d flags not allowed");
                c.dsts.addAll(List.of(args.value(given).split(",")));
                if (invert) c.spec.invflags |= Rule.INV_DSTIP;
            }
            case "--in-interface" -> {
                c.inIface = iface(args.value(given));
                if (invert) c.spec.invflags |= Rule.INV_VIA_IN;
            }
            case "--out-interface" -> {
                c.outIface = iface(args.value(given));
                if (invert) c.spec.invflags |= Rule.INV_VIA_OUT;
            }
            case "--protocol" -> {
                if (c.protoGiven) throw new RuleError("multiple -p flags not allowed");
                c.protoGiven = true;
                c.spec.proto = Protocols.parse(args.value(given));
                if (invert) {
                    if (c.spec.proto == 0) throw new RuleError("rule would never match protocol");
                    c.spec.invflags |= Rule.INV_PROTO;
                }
            }
            case "--fragment" -> {
                if (c.ipv6) throw new RuleError("`-f' is not supported in IPv6, use -m frag instead");
                c.fragment = true;
                if (invert) c.spec.invflags |= Rule.INV_FRAG;
            }
            case "--match" -> {
                if (invert) throw new RuleError("unexpected ! flag before --match");
                loadMatch(c, args.value(given));
            }
            case "--jump", "--goto" -> {
                if (invert) throw new RuleError("unexpected ! flag before " + name);
                if (c.jumpName != null) throw new RuleError("multiple -j flags not allowed");
                c.jumpName = args.value(given);
                c.isGoto = name.equals("--goto");
                if (!c.isGoto) {
                    c.targetParser = Extensions.target(c.jumpName, c.ipv6);
                    if (c.targetParser == null && Extensions.unsupportedTarget(c.jumpName, c.ipv6)) {
                        throw new RuleError("target `" + c.jumpName + "' is not supported by jnat" + Extensions.why(c.jumpName));
                    }
                }
            }
            case "--set-counters" -> {
                if (invert) throw new RuleError("unexpected ! flag before --set-counters");
                String p = args.value(given);
                String b = args.optional();
                if (b == null) throw new RuleError("-c requires packet and byte counter");
                c.counters = new long[] {counter(p, "packet"), counter(b, "byte")};
            }
            default -> moduleOption(c, given, invert, args);
        }
    }

    private static void loadMatch(Cmd c, String name) {
        ModuleParser m = Extensions.match(name, c.ipv6);
        if (m == null) {
            if (Extensions.unsupportedMatch(name, c.ipv6)) {
                throw new RuleError("match `" + name + "' is not supported by jnat" + Extensions.why(name));
            }
            throw new RuleError("Couldn't load match `" + name + "':No such file or directory");
        }
        c.matchParsers.add(m);
        c.matchNames.add(name);
    }

    private static void moduleOption(Cmd c, String opt, boolean invert, Args args) {
        if (!opt.startsWith("--")) throw new RuleError("unknown option \"" + opt + "\"");
        if (tryModuleOption(c, opt, invert, args)) return;
        // getopt_long accepts an unambiguous prefix of a long option
        List<String> owners = new ArrayList<>(c.matchNames);
        if (c.spec.protoName() != null) owners.add(c.spec.protoName());
        if (c.targetParser != null) owners.add(c.jumpName);
        java.util.Set<String> candidates = new java.util.TreeSet<>();
        for (String owner : owners) {
            for (String o : Extensions.MODULE_OPTIONS.getOrDefault(owner, List.of())) {
                if (o.startsWith(opt)) candidates.add(o);
            }
        }
        if (candidates.size() == 1 && tryModuleOption(c, candidates.iterator().next(), invert, args)) return;
        throw new RuleError("unknown option \"" + opt + "\"");
    }

    private static boolean tryModuleOption(Cmd c, String opt, boolean invert, Args args) {
        // the newest instance first: "-m comment --comment a -m comment --comment b" gives each its own
        // (libxtables merges each loaded instance's options at their own offsets, the last one winning)
        for (int i = c.matchParsers.size() - 1; i >= 0; i--) {
            if (c.matchParsers.get(i).option(opt, invert, args, c.spec)) return true;
        }
        if (c.targetParser != null && c.targetParser.option(opt, invert, args, c.spec)) return true;
        // an option of the protocol's match loads it, as "-p tcp --dport 80" does
        String proto = c.spec.protoName();
        if (proto != null && !c.spec.protoInverted() && Extensions.hasMatch(proto, c.ipv6) && !c.matchNames.contains(proto)) {
            ModuleParser p = Extensions.match(proto, c.ipv6);
            if (p.option(opt, invert, args, c.spec)) {
                c.matchParsers.add(p);
                c.matchNames.add(proto);
                return true;
            }
        }
        return false;
    }

    private static String iface(String name) {
        if (name.length() > 15) throw new RuleError("interface name `" + name + "' must be shorter than IFNAMSIZ (15)");
        return name.equals("+") ? "" : name; // "+" alone matches every interface: no interface at all

    }

    private static long counter(String s, String what) {
        try {
            long v = Long.parseUnsignedLong(s);
            return v;
        } catch (NumberFormatException e) {
            throw new RuleError("-c " + what + " counter not numeric");
        }
    }

    private static int ruleNumber(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new RuleError("Invalid rule number `" + s + "'");
    }

    private static Chain requireChain(Table t, String name) {
        Chain ch = t.chain(name);
        if (ch == null) throw new RuleError("No chain/target/match by that name.", 1);
        return ch;
    }

    /** Builds the rule(s) of the command line: one per source x destination address. */
    private static List<Rule> buildRules(Table t, Cmd c) {
        try {
            return buildRulesChecked(t, c);
        } catch (RuleError e) {
            boolean range = e.getMessage().equals(ModuleParser.KERNEL_ERANGE);
            boolean noent = e.getMessage().equals(ModuleParser.KERNEL_ENOENT);
            if (!range && !noent && !e.getMessage().equals(ModuleParser.KERNEL_EINVAL)) throw e;
            // what iptables-nft says when the kernel's checkentry refuses the rule
            String op = switch (c.command) {
                case 'I' -> "INSERT";
                case 'R' -> "REPLACE";
                default -> "APPEND";
            };
            throw new RuleError("RULE_" + op + " failed (" + (range ? "Numerical result out of range"
                    : noent ? "No such file or directory" : "Invalid argument")
                    + "): rule in chain " + c.chain, 4);
        }
    }

    private static final String KERNEL_REFUSED = "RULE_APPEND failed (Invalid argument): rule in chain ";

    /**
     * The kernel refused the table at commit, for a rule in some chain the command's chain reaches:
     * iptables-nft names the command's operation and chain.
     */
    private static RuleError asCommand(RuleError e, Cmd c) {
        String m = e.getMessage();
        if (e.exitCode() != 4 || !m.startsWith(KERNEL_REFUSED)) return e;
        String rest = m.substring(KERNEL_REFUSED.length());
        int colon = rest.indexOf(':');
        String op = switch (c.command) {
            case 'I' -> "INSERT";
            case 'R' -> "REPLACE";
            default -> "APPEND";
        };
        return new RuleError("RULE_" + op + " failed (Invalid argument): rule in chain " + c.chain
                + (colon < 0 ? "" : rest.substring(colon)), 4);
    }

    private static List<Rule> buildRulesChecked(Table t, Cmd c) {
        Object[] matches = new Object[c.matchParsers.size()];
        for (int i = 0; i < matches.length; i++) matches[i] = c.matchParsers.get(i).finish(c.spec);
        Match[] ms = new Match[matches.length];
        for (int i = 0; i < ms.length; i++) ms[i] = (Match) matches[i];
        ms = PortMatch.merged(ms);
        Target target = null;
        Chain jump = null;
        if (c.jumpName != null) {
            if (c.targetParser != null) {
                target = (Target) c.targetParser.finish(c.spec);
            } else if (!c.isGoto && (c.jumpName.equals("ACCEPT") || c.jumpName.equals("DROP") || c.jumpName.equals("RETURN"))) {
                target = c.jumpName.equals("ACCEPT") ? Target.ACCEPT : c.jumpName.equals("DROP") ? Target.DROP : Target.RETURN;
            } else {
                jump = t.chain(c.jumpName);
                if (jump == null) throw new RuleError("Chain '" + c.jumpName + "' does not exist");
                if (jump.builtin()) throw new RuleError("Cannot jump to built-in chain " + c.jumpName + ": RULE_APPEND failed (Operation not supported)");
            }
        }
        if (target == Target.DROP && t.name.equals("nat")) {
            throw new RuleError(NAT_DROP);
        }
        if ((c.srcs.size() > 1 && (c.spec.invflags & Rule.INV_SRCIP) != 0)
                || (c.dsts.size() > 1 && (c.spec.invflags & Rule.INV_DSTIP) != 0)) {
            throw new RuleError("! not allowed with multiple source or destination IP addresses");
        }
        List<Rule> rules = new ArrayList<>();
        if (c.ipv6) {
            List<long[]> srcs = new ArrayList<>(), dsts = new ArrayList<>();
            for (String s : c.srcs.isEmpty() ? List.of("::/0") : c.srcs) srcs.add(Inet6.parseNetwork(s));
            for (String s : c.dsts.isEmpty() ? List.of("::/0") : c.dsts) dsts.add(Inet6.parseNetwork(s));
            for (long[] s : srcs) {
                for (long[] d : dsts) {
                    rules.add(counted(t, c, new Rule(s, d, c.inIface, c.outIface, c.spec.proto, c.spec.invflags, ms,
                            target, jump, c.isGoto)));
                }
            }
            return rules;
        }
        List<int[]> srcs = new ArrayList<>(), dsts = new ArrayList<>();
        for (String s : c.srcs.isEmpty() ? List.of("0.0.0.0/0") : c.srcs) srcs.add(Inet.parseNetwork(s));
        for (String s : c.dsts.isEmpty() ? List.of("0.0.0.0/0") : c.dsts) dsts.add(Inet.parseNetwork(s));
        for (int[] s : srcs) {
            for (int[] d : dsts) {
                rules.add(counted(t, c, new Rule(s[0], s[1], d[0], d[1], c.inIface, c.outIface, c.spec.proto,
                        c.fragment, c.spec.invflags, ms, target, jump, c.isGoto)));
            }
        }
        return rules;
    }

    private static Rule counted(Table t, Cmd c, Rule r) {
        if (c.counters != null) {
            r.packets = c.counters[0];
            r.bytes = c.counters[1];
        }
        t.wire(r);
        return r;
    }

    private static void checkInterfaces(Cmd c) {
        if ((c.chain.equals("PREROUTING") || c.chain.equals("INPUT")) && !c.outIface.isEmpty()) {
            throw new RuleError("Can't use -o with " + c.chain);
        }
        if ((c.chain.equals("POSTROUTING") || c.chain.equals("OUTPUT")) && !c.inIface.isEmpty()) {
            throw new RuleError("Can't use -i with " + c.chain);
        }
    }

    private static boolean hasRuleSpec(Cmd c) {
        return !c.srcs.isEmpty() || !c.dsts.isEmpty() || !c.inIface.isEmpty() || !c.outIface.isEmpty() || c.protoGiven
                || c.fragment || !c.matchParsers.isEmpty() || c.jumpName != null;
    }

    private static Result execute(Table t, Cmd c) {
        StringBuilder out = new StringBuilder();
        switch (c.command) {
            case 0 -> throw new RuleError("no command specified");
            case 'A', 'I', 'R', 'C', 'D' -> {
                Chain ch = requireChain(t, c.chain);
                if (c.command == 'D' && c.ruleNumber != null) {
                    if (hasRuleSpec(c)) throw new RuleError("Illegal option with -D CHAIN RULENUM");
                    int n = ruleNumber(c.ruleNumber);
                    if (n > ch.rules.size()) throw new RuleError("Index of deletion too big.", 1);
                    ch.rules.remove(n - 1);
                    return new Result("", true);
                }
                checkInterfaces(c);
                List<Rule> rules = buildRules(t, c);
                // a change the table check refuses is undone (restore checks the table at COMMIT instead)
                List<Rule> was = c.deferValidation ? null : List.copyOf(ch.rules);
                switch (c.command) {
                    case 'A' -> ch.rules.addAll(rules);
                    case 'I' -> {
                        int n = c.ruleNumber == null ? 1 : ruleNumber(c.ruleNumber);
                        if (n > ch.rules.size() + 1) throw new RuleError("Index of insertion too big.", 1);
                        for (Rule r : rules) ch.rules.add(n - 1, r);
                    }
                    case 'R' -> {
                        if (rules.size() != 1) throw new RuleError("Replacement rule does not specify a unique address");
                        int n = ruleNumber(c.ruleNumber);
                        if (n > ch.rules.size()) throw new RuleError("Index of replacement too big.", 1);
                        ch.rules.set(n - 1, rules.get(0));
                    }
                    case 'C' -> {
                        for (Rule r : rules) {
                            if (find(ch, r) < 0) throw new RuleError("Bad rule (does a matching rule exist in that chain?).", 1);
                        }
                        return new Result("", false);
                    }
                    default -> {
                        for (Rule r : rules) {
                            int i = find(ch, r);
                            if (i < 0) throw new RuleError("Bad rule (does a matching rule exist in that chain?).", 1);
                            ch.rules.remove(i);
                        }
                        return new Result("", true);
                    }
                }
                if (!c.deferValidation) {
                    try {
                        t.validate();
                    } catch (RuleError e) {
                        ch.rules.clear();
                        ch.rules.addAll(was);
                        throw asCommand(e, c);
                    }
                }
                return new Result("", true);
            }
            case 'N' -> {
                checkChainName(c.chain, c.ipv6);
                if (t.chain(c.chain) != null) throw new RuleError("Chain already exists.", 1);
                t.newChain(c.chain);
                return new Result("", true);
            }
            case 'X' -> {
                List<Chain> victims = new ArrayList<>();
                if (c.chain != null) victims.add(requireChain(t, c.chain));
                else for (Chain k : t.chains()) if (!k.builtin()) victims.add(k);
                for (Chain k : victims) {
                    if (k.builtin() || !k.rules.isEmpty() || referencedFromOutside(t, k, victims)) {
                        throw new RuleError("CHAIN_DEL failed (Device or resource busy): chain " + k.name, 4);
                    }
                }
                for (Chain k : victims) t.removeChain(k);
                return new Result("", !victims.isEmpty());
            }
            case 'E' -> {
                Chain k = requireChain(t, c.chain);
                if (k.builtin()) throw new RuleError("Invalid argument: built-in chain " + c.chain + " cannot be renamed", 1);
                checkChainName(c.chain2, c.ipv6);
                if (t.chain(c.chain2) != null) throw new RuleError("File exists.", 1);
                t.renameChain(k, c.chain2);
                return new Result("", true);
            }
            case 'F' -> {
                if (c.chain != null) requireChain(t, c.chain).rules.clear();
                else for (Chain k : t.chains()) k.rules.clear();
                return new Result("", true);
            }
            case 'Z' -> {
                zero(t, c);
                return new Result("", true);
            }
            case 'P' -> {
                Chain k = t.chain(c.chain);
                if (k == null || !k.builtin()) throw new RuleError("Bad built-in chain name.", 1);
                if (!c.chain2.equals("ACCEPT") && !c.chain2.equals("DROP")) throw new RuleError("Bad policy name.", 1);
                if (c.chain2.equals("DROP") && t.name.equals("nat")) throw new RuleError(NAT_DROP);
                k.policy = c.chain2;
                if (c.counters != null) {
                    k.policyPackets = c.counters[0];
                    k.policyBytes = c.counters[1];
                    t.countersWritten(); // the compiled form holds the policy's counts too
                }
                return new Result("", true);
            }
            case 'L' -> {
                if (c.chain != null) requireChain(t, c.chain);
                Listing.list(out, t, c.chain, c.fmt);
                if (c.extraCommand == 'Z') {
                    zero(t, c);
                    return new Result(out.toString(), true);
                }
                return new Result(out.toString(), false);
            }
            case 'S' -> {
                if (c.chain != null) requireChain(t, c.chain);
                int n = c.ruleNumber == null ? 0 : ruleNumber(c.ruleNumber);
                // a rule number past the end lists nothing, as iptables-nft does
                Ruleset.listRules(out, t, c.chain, n, c.verbose);
                return new Result(out.toString(), false);
            }
            default -> throw new RuleError("no command specified");
        }
    }

    private static boolean referencedFromOutside(Table t, Chain k, List<Chain> victims) {
        for (Chain from : t.chains()) {
            if (victims.contains(from) && from != k) continue;
            for (Rule r : from.rules) if (r.jump == k) return true;
        }
        return false;
    }

    /** -Z [chain [rulenum]]: counters of the rule, or of every rule and policy in the chain(s). */
    private static void zero(Table t, Cmd c) {
        Chain only = c.chain == null ? null : requireChain(t, c.chain);
        if (only != null && c.ruleNumber != null && c.command == 'Z') {
            int n = ruleNumber(c.ruleNumber);
            if (n > only.rules.size()) return; // nothing to zero, as iptables-nft
            Rule r = only.rules.get(n - 1);
            r.packets = 0;
            r.bytes = 0;
            t.countersWritten();
            return;
        }
        for (Chain k : t.chains()) {
            if (only != null && k != only) continue;
            k.policyPackets = 0;
            k.policyBytes = 0;
            for (Rule r : k.rules) {
                r.packets = 0;
                r.bytes = 0;
            }
        }
        t.countersWritten();
    }

    private static int find(Chain ch, Rule r) {
        String spec = r.spec();
        for (int i = 0; i < ch.rules.size(); i++) if (ch.rules.get(i).spec().equals(spec)) return i;
        return -1;
    }

    private static void checkChainName(String name, boolean ipv6) {
        if (name.length() > 28) throw new RuleError("chain name `" + name + "' too long (must be under 29 chars)");
        if (name.startsWith("-") || name.startsWith("!")) throw new RuleError("chain name not allowed to start with `" + name.charAt(0) + "'");
        if (Extensions.hasTarget(name, ipv6) || name.equals("ACCEPT") || name.equals("DROP") || name.equals("RETURN")) {
            throw new RuleError("chain name may not clash with target name");
        }
        for (char ch : name.toCharArray()) {
            if (Character.isWhitespace(ch)) throw new RuleError("Invalid chain name `" + name + "'");
        }
    }
}
