package jnat.rules;

/** Parses the options of one match or target module (the extension's parse and final_check). */
abstract class ModuleParser {
    /** Consumes {@code opt} (and its values) if it is this module's option; false if not. */
    abstract boolean option(String opt, boolean invert, Args args, RuleSpec spec);

    /** Checks the options given and returns the Match or Target. */
    abstract Object finish(RuleSpec spec);

    static void noInvert(String module, String opt, boolean invert) {
        if (invert) throw new RuleError(module + ": option \"" + opt + "\" cannot be inverted.");
    }
}
