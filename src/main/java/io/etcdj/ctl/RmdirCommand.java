package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "rmdir", description = "Remove an empty directory (or a key); error 108 if the directory is not empty.")
final class RmdirCommand extends CtlCommand {
    @Parameters(paramLabel = "<key>", arity = "0..1")
    List<String> args;

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        KeysResponse response = s.keys().delete(key, true, false, "", 0, s.deadline());
        if (!response.node().dir() || s.printer().format() != OutputFormat.SIMPLE) {
            s.printer().print(response);
        }
        return 0;
    }
}
