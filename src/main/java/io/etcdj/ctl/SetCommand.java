package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "set", description = {"Set the value of a key, creating it if needed (the value is read from stdin "
        + "when left out).", "A value that starts with '-' goes after '--': set -- <key> <value>"})
final class SetCommand extends CtlCommand {
    @Option(names = "--ttl", paramLabel = "<seconds>", description = "Time to live of the key, in seconds.")
    long ttl;
    @Option(names = "--swap-with-value", paramLabel = "<value>", description = "Only if the key holds this value.")
    String swapWithValue = "";
    @Option(names = "--swap-with-index", paramLabel = "<index>",
            description = "Only if the key was last modified at this index.")
    long swapWithIndex;
    @Parameters(paramLabel = "<key> <value>", arity = "0..2")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        String value = valueOrStdin(args, 1, s);
        s.printer().print(s.keys().set(key, value, false, ttl, KeysApi.Exist.ANY, swapWithValue, swapWithIndex,
                s.deadline()));
        return 0;
    }
}
