package io.etcdj.ctl;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** mkdir, setdir and updatedir: a write of a directory that prints nothing in simple format. */
abstract class DirWriteCommand extends CtlCommand {
    @Option(names = "--ttl", paramLabel = "<seconds>", description = "Time to live of the directory, in seconds.")
    long ttl;
    @Parameters(paramLabel = "<key>", arity = "0..1")
    List<String> args;

    abstract KeysApi.Exist exist();

    @Override
    int run(Session s) throws Exception {
        String key = keyArg(args);
        KeysResponse response = s.keys().set(key, "", true, ttl, exist(), "", 0, s.deadline());
        if (s.printer().format() != OutputFormat.SIMPLE) {
            s.printer().print(response);
        }
        return 0;
    }

    @picocli.CommandLine.Command(name = "mkdir", description = "Make a new directory; fails if the key exists.")
    static final class Mkdir extends DirWriteCommand {
        @Override
        KeysApi.Exist exist() {
            return KeysApi.Exist.MUST_NOT;
        }
    }

    @picocli.CommandLine.Command(name = "setdir",
            description = "Make a directory, or set the TTL of an existing one (error 102 if the key is a file).")
    static final class Setdir extends DirWriteCommand {
        @Override
        KeysApi.Exist exist() {
            return KeysApi.Exist.ANY;
        }
    }

    @picocli.CommandLine.Command(name = "updatedir",
            description = "Update an existing directory (its TTL); fails if it does not exist.")
    static final class Updatedir extends DirWriteCommand {
        @Override
        KeysApi.Exist exist() {
            return KeysApi.Exist.MUST;
        }
    }
}
