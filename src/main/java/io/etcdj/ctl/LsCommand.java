package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "ls", description = "List a directory: the keys in it, one a line (the root when no key is given).")
final class LsCommand extends CtlCommand {
    @Option(names = "--sort", description = "Sort the keys.")
    boolean sort;
    @Option(names = {"--recursive", "-r"}, description = "List everything below, not only the children.")
    boolean recursive;
    @Option(names = "-p", description = "Put a slash after the name of each directory.")
    boolean slash;
    @Option(names = {"--quorum", "-q"}, description = "Read through the leader.")
    boolean quorum;
    @Parameters(paramLabel = "[key]", arity = "0..1")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = args == null || args.isEmpty() ? "/" : args.get(0);
        s.printer().printListing(s.keys().get(key, recursive, sort, quorum, s.deadline()), slash);
        return 0;
    }
}
