package io.etcdj.ctl;

import io.etcdj.tls.JdkClientContext;
import io.etcdj.tls.TlsConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code etcdctl} command: etcdctl v2's commands, global flags, output formats, error lines
 * and exit codes, over the v2 HTTP API. Global flags go before the command, the command's own
 * flags after it.
 */
@Command(name = "etcdctl", sortOptions = false, usageHelpAutoWidth = true,
        header = "etcdctl: a command line client for etcd (the v2 API)",
        synopsisHeading = "%nUsage: ",
        customSynopsis = "etcdctl [global options] <command> [command options] [arguments...]",
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nGlobal options:%n",
        footer = {"", "Run 'etcdctl help <command>' for a command's options.",
                "Exit codes: 0 done, 1 bad arguments, 2 no endpoint reachable, 4 error from the server, "
                        + "5 cluster not healthy.",
                "Environment: ETCDCTL_ENDPOINTS (or ETCDCTL_PEERS), ETCDCTL_CA_FILE, ETCDCTL_CERT_FILE, "
                        + "ETCDCTL_KEY_FILE stand in for the flags."},
        subcommands = {ClusterHealthCommand.class, MkCommand.class, DirWriteCommand.Mkdir.class, RmCommand.class,
                RmdirCommand.class, GetCommand.class, LsCommand.class, SetCommand.class, DirWriteCommand.Setdir.class,
                UpdateCommand.class, DirWriteCommand.Updatedir.class, WatchCommand.class, ExecWatchCommand.class,
                MemberCommand.class, CommandLine.HelpCommand.class})
public final class Etcdctl {
    static final String DEFAULT_ENDPOINTS = "http://127.0.0.1:4001,http://127.0.0.1:2379";
    static final String VERSION = "0.2.0";

    @Option(names = "--debug", description = "Print the curl command of every request to stderr.")
    boolean debug;
    @Option(names = "--no-sync", description = "Use the endpoints as given, without asking the cluster for its members.")
    boolean noSync;
    @Option(names = {"--output", "-o"}, paramLabel = "simple|extended|json", defaultValue = "simple",
            converter = FormatConverter.class, description = "Output format (default simple).")
    OutputFormat output = OutputFormat.SIMPLE;
    @Option(names = {"--endpoints", "--peers", "-C", "--endpoint"}, paramLabel = "<url>,...",
            description = "Comma-separated client URLs of machines of the cluster (default " + DEFAULT_ENDPOINTS + ").")
    String endpoints;
    @Option(names = "--cert-file", paramLabel = "<path>", description = "Client certificate for HTTPS endpoints.")
    String certFile;
    @Option(names = "--key-file", paramLabel = "<path>", description = "Key of the client certificate.")
    String keyFile;
    @Option(names = "--ca-file", paramLabel = "<path>", description = "CA bundle to verify HTTPS endpoints with.")
    String caFile;
    @Option(names = "--timeout", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "Time for each request to be answered (default 2s).")
    Duration timeout = Duration.ofSeconds(2);
    @Option(names = "--total-timeout", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "Time for the whole command, watches excepted (default 5s).")
    Duration totalTimeout = Duration.ofSeconds(5);
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this text.")
    boolean help;
    @Option(names = {"-v", "--version"}, versionHelp = true, description = "Print the version.")
    boolean version;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    Etcdctl(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        Etcdctl root = new Etcdctl(in, out, err, env);
        CommandLine cl = new CommandLine(root);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExpandAtFiles(false);
        cl.setOverwrittenOptionsAllowed(true);
        cl.getSubcommands().get("exec-watch").setStopAtPositional(true);
        cl.setParameterExceptionHandler((e, a) -> {
            String message = e.getMessage();
            if (e instanceof CommandLine.UnmatchedArgumentException u && e.getCommandLine() == cl
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                message = "unknown command '" + u.getUnmatched().get(0) + "'";
            }
            err.println("Incorrect Usage: " + message);
            String name = e.getCommandLine().getCommandName();
            err.println(e.getCommandLine() == cl ? "Run 'etcdctl --help' for usage."
                    : "Run 'etcdctl help " + name + "' for usage.");
            return CommandFailure.BAD_ARGS;
        });
        cl.setExecutionExceptionHandler((e, c, p) -> root.report(e));
        CommandLine.IVersionProvider version = () -> new String[] {"etcdctl version: " + VERSION, "API version: 2"};
        cl.getCommandSpec().versionProvider(version);
        if (args.length == 0) {
            cl.usage(out);
            return 0;
        }
        return cl.execute(args);
    }

    /** Prints a command's failure as etcdctl does and gives its exit code. */
    int report(Exception e) {
        if (e instanceof ApiError) {
            err.println("Error:  " + e.getMessage());
            return CommandFailure.SERVER_ERROR;
        }
        if (e instanceof ClusterUnavailable unavailable) {
            err.println("Error:  " + e.getMessage());
            err.println(unavailable.detail());
            return CommandFailure.SERVER_ERROR;
        }
        if (e instanceof CommandFailure failure) {
            err.println("Error:  " + e.getMessage());
            return failure.exitCode();
        }
        err.println("Error:  " + e);
        return CommandFailure.SERVER_ERROR;
    }

    /** Builds the client from the global flags and, unless told not to, syncs its endpoints. */
    Session open(boolean sync) throws CommandFailure {
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        List<URI> urls = endpointList();
        SSLContext tls = tls();
        Duration connect = totalTimeout.isZero() || totalTimeout.compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30) : totalTimeout;
        ClusterClient client = new ClusterClient(urls, timeout, connect, tls, debug ? err : null);
        if (sync && !noSync) {
            if (debug) {
                err.println("start to sync cluster using endpoints(" + join(client.endpoints(), ",") + ")");
            }
            try {
                client.sync(deadline);
            } catch (ClusterUnavailable e) {
                if (e.connectionOnly()) {
                    throw new CommandFailure(CommandFailure.BAD_CONNECTION, e.getMessage() + "\n" + e.detail());
                }
            }
            if (debug) {
                err.println("got endpoints(" + join(client.endpoints(), ",") + ") after sync");
            }
        }
        if (debug) {
            err.println("Cluster-Endpoints: " + join(client.endpoints(), ", "));
        }
        return new Session(client, new KeysApi(client), new ResponsePrinter(output, out), in, out, err, deadline);
    }

    List<URI> endpointList() throws CommandFailure {
        String text = firstSet(endpoints, env.get("ETCDCTL_ENDPOINTS"), env.get("ETCDCTL_ENDPOINT"),
                env.get("ETCDCTL_PEERS"), DEFAULT_ENDPOINTS);
        List<URI> urls = new ArrayList<>();
        for (String item : text.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            if (!s.contains("://")) {
                s = "http://" + s;
            }
            try {
                URI uri = new URI(s);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
                urls.add(uri);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw new CommandFailure(CommandFailure.BAD_ARGS, "invalid endpoint \"" + item.trim()
                        + "\" in --endpoints");
            }
        }
        if (urls.isEmpty()) {
            throw new CommandFailure(CommandFailure.BAD_ARGS, "no endpoint given in --endpoints");
        }
        return urls;
    }

    private SSLContext tls() throws CommandFailure {
        String cert = firstSet(certFile, env.get("ETCDCTL_CERT_FILE"), "");
        String key = firstSet(keyFile, env.get("ETCDCTL_KEY_FILE"), "");
        String ca = firstSet(caFile, env.get("ETCDCTL_CA_FILE"), "");
        if (cert.isEmpty() && key.isEmpty() && ca.isEmpty()) {
            return null;
        }
        try {
            return JdkClientContext.build(cert.isEmpty() ? null : Path.of(cert), key.isEmpty() ? null : Path.of(key),
                    ca.isEmpty() ? null : Path.of(ca));
        } catch (TlsConfigException e) {
            throw new CommandFailure(CommandFailure.BAD_ARGS, e.getMessage());
        }
    }

    private static String firstSet(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isEmpty()) {
                return c;
            }
        }
        return "";
    }

    private static String join(List<URI> urls, String separator) {
        return urls.stream().map(URI::toString).collect(Collectors.joining(separator));
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return OutputFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return GoDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
