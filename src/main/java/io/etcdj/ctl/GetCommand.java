package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "get", description = "Print the value of a key (exit code 1 for a directory).")
final class GetCommand extends CtlCommand {
    @Option(names = "--sort", description = "Sort the answer.")
    boolean sort;
    @Option(names = {"--quorum", "-q"}, description = "Read through the leader: sure to see every acknowledged write.")
    boolean quorum;
    @Parameters(paramLabel = "<key>", arity = "0..1")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        KeysResponse response = s.keys().get(key, false, sort, quorum, s.deadline());
        if (response.node().dir()) {
            s.err().println(response.node().key() + ": is a directory");
            return CommandFailure.BAD_ARGS;
        }
        s.printer().print(response);
        return 0;
    }
}
