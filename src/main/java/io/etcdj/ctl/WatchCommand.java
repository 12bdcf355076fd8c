package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "watch", description = {"Wait for a change of a key and print it (and, with --recursive, "
        + "of anything below it, each change after a line '[action] key').",
        "Changes of directories themselves are skipped."})
final class WatchCommand extends CtlCommand {
    @Option(names = {"--forever", "-f"}, description = "Keep watching until interrupted (Ctrl+C).")
    boolean forever;
    @Option(names = "--after-index", paramLabel = "<index>",
            description = "Start with the first change after this index (from the history of recent changes).")
    long afterIndex;
    @Option(names = {"--recursive", "-r"}, description = "Watch everything below the key too.")
    boolean recursive;
    @Parameters(paramLabel = "<key>", arity = "0..1")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        if (forever) {
            Interrupts.exitQuietly();
        }
        long waitIndex = afterIndex > 0 ? afterIndex + 1 : 0;
        while (true) {
            KeysResponse response = s.keys().watch(key, waitIndex, recursive);
            waitIndex = response.node().modifiedIndex() + 1;
            if (response.node().dir()) {
                continue;
            }
            if (recursive) {
                s.out().println("[" + response.action() + "] " + response.node().key());
            }
            s.printer().print(response);
            if (!forever) {
                return 0;
            }
        }
    }
}
