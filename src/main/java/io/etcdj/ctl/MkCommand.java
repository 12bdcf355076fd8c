package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "mk", description = {"Make a new key with a value; fails if the key exists (error 105).",
        "With --in-order, make a key named after its index under the directory <key> (a queue)."})
final class MkCommand extends CtlCommand {
    @Option(names = "--in-order", description = "Create an in-order key under the directory <key>.")
    boolean inOrder;
    @Option(names = "--ttl", paramLabel = "<seconds>", description = "Time to live of the key, in seconds.")
    long ttl;
    @Parameters(paramLabel = "<key> <value>", arity = "0..2")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        String value = valueOrStdin(args, 1, s);
        KeysResponse response = inOrder
                ? s.keys().createInOrder(key, value, ttl, s.deadline())
                : s.keys().set(key, value, false, ttl, KeysApi.Exist.MUST_NOT, "", 0, s.deadline());
        s.printer().print(response);
        return 0;
    }
}
