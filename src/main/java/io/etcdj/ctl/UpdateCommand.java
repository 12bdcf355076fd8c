package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "update", description = "Change the value of an existing key; fails if it does not exist (error 100).")
final class UpdateCommand extends CtlCommand {
    @Option(names = "--ttl", paramLabel = "<seconds>", description = "Time to live of the key, in seconds.")
    long ttl;
    @Parameters(paramLabel = "<key> <value>", arity = "0..2")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        String value = valueOrStdin(args, 1, s);
        s.printer().print(s.keys().set(key, value, false, ttl, KeysApi.Exist.MUST, "", 0, s.deadline()));
        return 0;
    }
}
