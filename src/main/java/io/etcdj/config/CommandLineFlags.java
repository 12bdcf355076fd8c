package io.etcdj.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line, parsed with Go's flag rules, which etcd's users know: one or two dashes,
 * {@code -flag value} or {@code -flag=value}, booleans as {@code -f} or {@code -f=false} (never
 * {@code -f false}), the last of repeated flags wins, and parsing stops at the first argument
 * that is not a flag ({@code --} ends the flags and is dropped; a lone {@code -} is an argument).
 * A few lines of code rather than a parsing library: the server's start-up time counts, and a
 * general parser costs more to load than everything else the configuration needs.
 *
 * @param values      the settings given, typed; empty {@code -peers} and {@code -cors} are not
 *                    recorded, as in the reference
 * @param deprecated  one hint per deprecated flag used, in order of first use
 * @param leftover    arguments after the flags, which etcd ignores
 */
record CommandLineFlags(Map<Setting, Object> values, List<String> deprecated, List<String> leftover) {

    /** Every accepted flag name, without dashes, and what it sets. */
    private record Flag(Setting setting, String deprecationHint) {}

    private static final Map<String, Flag> FLAGS = flags();

    private static Map<String, Flag> flags() {
        Map<String, Flag> flags = new HashMap<>();
        for (Setting setting : Setting.values()) {
            for (String flag : setting.flags) {
                flags.put(flag, new Flag(setting, null));
            }
        }
        for (Map.Entry<String, Setting> old : Setting.DEPRECATED_FLAGS.entrySet()) {
            String hint = "[deprecated] use " + old.getValue().flag() + ", not -" + old.getKey();
            flags.put(old.getKey(), new Flag(old.getValue(), hint));
        }
        return Map.copyOf(flags);
    }

    static CommandLineFlags parse(String[] args) throws ConfigException {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        Set<String> deprecated = new LinkedHashSet<>();
        int i = 0;
        while (i < args.length) {
            String arg = args[i];
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                break;
            }
            i++;
            if (arg.equals("--")) {
                break;
            }
            String body = arg.substring(arg.startsWith("--") ? 2 : 1);
            if (body.isEmpty() || body.charAt(0) == '-' || body.charAt(0) == '=') {
                throw new ConfigException("bad flag syntax: " + arg);
            }
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            Flag flag = FLAGS.get(name);
            if (flag == null) {
                throw new ConfigException("unknown flag " + (eq < 0 ? arg : arg.substring(0, arg.indexOf('='))));
            }
            if (flag.deprecationHint() != null) {
                deprecated.add(flag.deprecationHint());
            }
            String text;
            if (eq >= 0) {
                text = body.substring(eq + 1);
            } else if (flag.setting().kind == Setting.Kind.BOOL) {
                text = "true";
            } else if (i < args.length) {
                text = args[i++];
            } else {
                throw new ConfigException("flag needs an argument: -" + name);
            }
            Object value = flag.setting().parse(text, "-" + name, true);
            boolean emptyList = value instanceof List<?> list && list.isEmpty();
            if (!emptyList) {
                values.put(flag.setting(), value);
            }
        }
        List<String> leftover = new ArrayList<>(List.of(args).subList(i, args.length));
        return new CommandLineFlags(values, List.copyOf(deprecated), List.copyOf(leftover));
    }
}
