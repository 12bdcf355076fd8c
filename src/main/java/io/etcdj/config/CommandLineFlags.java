package io.etcdj.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command line, parsed with Go's flag rules, which etcd's users know: one or two dashes,
 * {@code -flag value} or {@code -flag=value}, booleans as {@code -f} or {@code -f=false} (never
 * {@code -f false}), the last of repeated flags wins, and parsing stops at the first argument
 * that is not a flag.
 *
 * @param values      the settings given, typed; empty {@code -peers} and {@code -cors} are not
 *                    recorded, as in the reference
 * @param deprecated  one hint per deprecated flag used, in order of first use
 * @param leftover    arguments after the flags, which etcd ignores
 */
record CommandLineFlags(Map<Setting, Object> values, List<String> deprecated, List<String> leftover) {

    static CommandLineFlags parse(String[] args) throws ConfigException {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        Set<String> deprecated = new LinkedHashSet<>();
        List<ConfigException> failure = new ArrayList<>(1);

        CommandSpec spec = CommandSpec.create();
        for (Setting setting : Setting.values()) {
            for (String flag : setting.flags) {
                spec.addOption(option(flag, setting, null, values, deprecated, failure));
            }
        }
        for (Map.Entry<String, Setting> old : Setting.DEPRECATED_FLAGS.entrySet()) {
            String hint = "[deprecated] use " + old.getValue().flag() + ", not -" + old.getKey();
            spec.addOption(option(old.getKey(), old.getValue(), hint, values, deprecated, failure));
        }
        List<String> leftover = new ArrayList<>();
        spec.addPositional(PositionalParamSpec.builder().arity("0..*").type(String[].class)
                .setter(new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        if (value instanceof String[] rest) {
                            leftover.clear();
                            leftover.addAll(List.of(rest));
                        }
                        return null;
                    }
                }).build());

        CommandLine commandLine = new CommandLine(spec);
        commandLine.setPosixClusteredShortOptionsAllowed(false);
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.setStopAtPositional(true);
        // "@file" is an ordinary value to etcd, not a file of arguments to splice in.
        commandLine.setExpandAtFiles(false);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            if (!failure.isEmpty()) {
                throw failure.get(0);
            }
            String unknown = e.getUnmatched().isEmpty() ? "?" : e.getUnmatched().get(0);
            int eq = unknown.indexOf('=');
            throw new ConfigException("unknown flag " + (eq > 0 ? unknown.substring(0, eq) : unknown));
        } catch (CommandLine.ParameterException e) {
            if (!failure.isEmpty()) {
                throw failure.get(0);
            }
            throw new ConfigException(e.getMessage().lines().findFirst().orElse("bad command line"));
        }
        if (!failure.isEmpty()) {
            throw failure.get(0);
        }
        return new CommandLineFlags(values, List.copyOf(deprecated), List.copyOf(leftover));
    }

    /**
     * One spelling of a flag. Picocli recognises the name (with one or two dashes) and splits
     * {@code name=value}; the preprocessor then takes the value the way Go's flag package does.
     */
    private static OptionSpec option(String flag, Setting setting, String deprecationHint,
                                     Map<Setting, Object> values, Set<String> hints,
                                     List<ConfigException> failure) {
        return OptionSpec.builder("-" + flag, "--" + flag)
                .arity("0..1")
                .type(String.class)
                .preprocessor((Stack<String> stack, CommandSpec cs, ArgSpec arg, Map<String, Object> info) -> {
                    if (!failure.isEmpty()) {
                        return true;
                    }
                    if (deprecationHint != null) {
                        hints.add(deprecationHint);
                    }
                    boolean attached = !" ".equals(info.get("separator")) && !"".equals(info.get("separator"));
                    try {
                        String text;
                        if (setting.kind == Setting.Kind.BOOL) {
                            text = attached ? stack.pop() : "true";
                        } else if (!stack.isEmpty()) {
                            text = stack.pop();
                        } else {
                            throw new ConfigException("flag needs an argument: -" + flag);
                        }
                        Object value = setting.parse(text, "-" + flag, true);
                        boolean emptyList = value instanceof List<?> list && list.isEmpty();
                        if (!emptyList) {
                            values.put(setting, value);
                        }
                    } catch (ConfigException e) {
                        failure.add(e);
                        stack.clear();
                    }
                    return true;
                })
                .build();
    }
}
