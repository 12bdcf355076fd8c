package io.etcdj.ctl;

import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/**
 * A command of etcdctl: finds the root command for the global flags, opens a {@link Session}
 * and runs. Errors propagate as exceptions that {@link Etcdctl} prints and turns into exit codes.
 */
abstract class CtlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        Etcdctl root = (Etcdctl) spec.root().userObject();
        return run(root.open(syncFirst()));
    }

    /** False for commands that talk to the endpoints as given (cluster-health). */
    boolean syncFirst() {
        return true;
    }

    abstract int run(Session session) throws Exception;

    /** The value argument, or all of stdin when it was left out, as etcdctl reads it. */
    static String valueOrStdin(java.util.List<String> args, int i, Session session) throws CommandFailure {
        if (i < args.size()) {
            return args.get(i);
        }
        try {
            String all = new String(session.in().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!all.isEmpty()) {
                return all;
            }
        } catch (java.io.IOException e) {
            // as for an empty stdin
        }
        throw new CommandFailure(CommandFailure.BAD_ARGS, "value required");
    }

    static String keyArg(java.util.List<String> args) throws CommandFailure {
        if (args == null || args.isEmpty()) {
            throw new CommandFailure(CommandFailure.BAD_ARGS, "key required");
        }
        return args.get(0);
    }
}
