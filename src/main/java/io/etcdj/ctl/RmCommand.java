package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "rm", description = {"Remove a key, or a directory with --dir (empty) or --recursive.",
        "--with-value and --with-index make it a compare-and-delete: nothing is removed unless they match."})
final class RmCommand extends CtlCommand {
    @Option(names = "--dir", description = "Remove the key if it is an empty directory or a key.")
    boolean dir;
    @Option(names = {"--recursive", "-r"}, description = "Remove the key and everything below it.")
    boolean recursive;
    @Option(names = "--with-value", paramLabel = "<value>", description = "Only if the key holds this value.")
    String withValue = "";
    @Option(names = "--with-index", paramLabel = "<index>",
            description = "Only if the key was last modified at this index.")
    long withIndex;
    @Parameters(paramLabel = "<key>", arity = "0..1")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        KeysResponse response = s.keys().delete(key, dir, recursive, withValue, withIndex, s.deadline());
        if (!response.node().dir() || s.printer().format() != OutputFormat.SIMPLE) {
            s.printer().print(response);
        }
        return 0;
    }
}
