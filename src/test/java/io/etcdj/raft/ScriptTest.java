package io.etcdj.raft;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Script tests after etcd-io/raft's interaction tests: each file under
 * {@code src/test/resources/raft} is a list of steps, each followed by {@code ----} and the
 * transcript it must produce (Readies, delivered and dropped messages). When behaviour changes on
 * purpose, run with {@code -Draft.script.rewrite=true} to rewrite the expectations, and review
 * the diff.
 *
 * <p>Steps: {@code cluster a b c [no-prevote] [no-checkquorum]}, {@code campaign a},
 * {@code tick a [n]}, {@code propose a data}, {@code read-index a id}, {@code add-member a d},
 * {@code remove-member a d}, {@code isolate a}, {@code heal}, {@code deliver [n]},
 * {@code stabilize}, {@code compact a}, {@code restart a}, {@code status}.
 */
class ScriptTest {
    private static final Path DIR = Path.of("src/test/resources/raft");
    private static final boolean REWRITE = Boolean.getBoolean("raft.script.rewrite");

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(DIR)) {
            files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new AssertionError("no scripts in " + DIR.toAbsolutePath());
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    private record Step(List<String> before, String command, List<String> expected) {}

    private static List<Step> parse(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        List<String> before = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                before.add(line);
                continue;
            }
            if (i >= lines.size() || !lines.get(i).equals("----")) {
                throw new AssertionError("line " + i + ": expected ---- after the step '" + line + "'");
            }
            i++;
            List<String> expected = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isEmpty()) {
                expected.add(lines.get(i++));
            }
            steps.add(new Step(before, line, expected));
            before = new ArrayList<>();
        }
        return steps;
    }

    private static void run(Path file) throws IOException {
        List<Step> steps = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        StringBuilder rewritten = new StringBuilder();
        Interpreter interpreter = new Interpreter();
        List<String> mismatches = new ArrayList<>();
        for (Step step : steps) {
            List<String> actual = interpreter.execute(step.command());
            for (String line : step.before()) {
                rewritten.append(line).append('\n');
            }
            rewritten.append(step.command()).append("\n----\n");
            for (String line : actual) {
                rewritten.append(line).append('\n');
            }
            rewritten.append('\n');
            if (!actual.equals(step.expected())) {
                mismatches.add(step.command() + "\n  expected:\n    " + String.join("\n    ", step.expected())
                        + "\n  actual:\n    " + String.join("\n    ", actual));
            }
        }
        if (REWRITE) {
            String text = rewritten.toString().stripTrailing() + "\n";
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(List.of(), mismatches, file + " (rewrite with -Draft.script.rewrite=true if intended)");
    }

    /** Runs steps against a {@link LocalCluster} and collects what they printed. */
    private static final class Interpreter {
        private LocalCluster cluster;

        List<String> execute(String line) {
            String[] words = line.trim().split("\\s+");
            String[] args = Arrays.copyOfRange(words, 1, words.length);
            List<String> out = new ArrayList<>();
            if (words[0].equals("cluster")) {
                List<String> names = Arrays.stream(args).filter(a -> !a.startsWith("no-")).toList();
                boolean preVote = !Arrays.asList(args).contains("no-prevote");
                boolean checkQuorum = !Arrays.asList(args).contains("no-checkquorum");
                cluster = new LocalCluster(1, names.toArray(String[]::new))
                        .withConfig(c -> c.withPreVote(preVote).withCheckQuorum(checkQuorum));
                cluster.transcript = out;
                out.add("ok");
                return out;
            }
            cluster.transcript = out;
            switch (words[0]) {
                case "campaign" -> cluster.node(args[0]).campaign();
                case "tick" -> {
                    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1;
                    for (int i = 0; i < n; i++) {
                        cluster.node(args[0]).tick();
                    }
                }
                case "propose" -> out.add(cluster.node(args[0]).propose(args[1].getBytes(StandardCharsets.UTF_8))
                        .toString());
                case "read-index" -> out.add(cluster.node(args[0]).readIndex(Long.parseLong(args[1])).toString());
                case "add-member" -> {
                    cluster.addEmpty(args[1]);
                    out.add(cluster.node(args[0]).proposeMembershipChange(ConfChange.add(args[1], null)).toString());
                }
                case "remove-member" -> out.add(cluster.node(args[0])
                        .proposeMembershipChange(ConfChange.remove(args[1])).toString());
                case "isolate" -> cluster.isolate(args[0]);
                case "heal" -> cluster.heal();
                case "deliver" -> {
                    cluster.process();
                    int n = args.length > 0 ? Integer.parseInt(args[0]) : cluster.network.size();
                    for (int i = 0; i < n && !cluster.network.isEmpty(); i++) {
                        cluster.deliverOne();
                        cluster.process();
                    }
                }
                case "stabilize" -> cluster.stabilize();
                case "compact" -> {
                    RaftNode node = cluster.node(args[0]);
                    Snapshot s = new Snapshot(node.appliedSnapshotMetadata(), new byte[0]);
                    node.compact(s);
                    cluster.member(args[0]).disk.compact(s);
                    out.add("compacted to " + s.index());
                }
                case "restart" -> cluster.restart(args[0]);
                case "status" -> {
                    for (LocalCluster.Member m : cluster.members.values()) {
                        RaftNode n = m.node;
                        out.add(m.name + ": " + n.role() + " term=" + n.term() + " leader=" + n.leader() + " commit="
                                + n.commitIndex() + " applied=" + n.appliedIndex() + " last=" + n.lastIndex()
                                + " members=" + n.membership().members());
                    }
                }
                default -> throw new AssertionError("unknown step: " + line);
            }
            cluster.process();
            if (out.isEmpty()) {
                out.add("ok");
            }
            return out;
        }
    }
}
