package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "exec-watch", description = {"Watch a key and run a command at every change, until interrupted.",
        "The command sees ETCD_WATCH_ACTION, ETCD_WATCH_KEY, ETCD_WATCH_VALUE and ETCD_WATCH_MODIFIED_INDEX "
                + "in its environment. Usage: exec-watch [options] <key> [--] <command> [args...]"})
final class ExecWatchCommand extends CtlCommand {
    @Option(names = "--after-index", paramLabel = "<index>", description = "Start with the first change after this index.")
    long afterIndex;
    @Option(names = {"--recursive", "-r"}, description = "Watch everything below the key too.")
    boolean recursive;
    @Parameters(paramLabel = "<key> <command> [args...]", arity = "0..*")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        List<String> rest = args == null ? List.of() : new ArrayList<>(args);
        if (rest.size() > 1 && rest.get(1).equals("--")) {
            rest.remove(1);
        }
        if (rest.size() < 2) {
            throw new CommandFailure(CommandFailure.BAD_ARGS, "key and command to exec required");
        }
        String key = rest.get(0);
        List<String> command = rest.subList(1, rest.size());
        Interrupts.exitQuietly();
        long waitIndex = afterIndex > 0 ? afterIndex + 1 : 0;
        while (true) {
            KeysResponse response = s.keys().watch(key, waitIndex, recursive);
            waitIndex = response.node().modifiedIndex() + 1;
            if (response.node().dir()) {
                s.err().println("Ignored dir " + response.node().key() + " change");
                continue;
            }
            run(command, response, s);
        }
    }

    /** Runs the command for one change and waits for it, so that changes are handled in order. */
    private static void run(List<String> command, KeysResponse change, Session s) throws CommandFailure {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = builder.environment();
        env.put("ETCD_WATCH_ACTION", change.action());
        env.put("ETCD_WATCH_MODIFIED_INDEX", Long.toString(change.node().modifiedIndex()));
        env.put("ETCD_WATCH_KEY", change.node().key());
        env.put("ETCD_WATCH_VALUE", change.node().value());
        s.out().flush();
        try {
            builder.start().waitFor();
        } catch (IOException e) {
            throw new CommandFailure(CommandFailure.BAD_ARGS, "cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
