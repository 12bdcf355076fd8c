package io.etcdj.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the README's single-machine walkthrough against a fresh node, command block by command
 * block, and compares each output with the answer the README shows under it. Keeps the README
 * honest: if behaviour changes, this fails until the README says what the node now does.
 */
class ReadmeWalkthroughIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

    private record Block(String language, String text) {}

    @Test
    void theWalkthroughGivesTheAnswersTheReadmeShows() throws Exception {
        String readme = Files.readString(EtcdProcess.projectDir().resolve("README.md"), StandardCharsets.UTF_8);
        String section = readme.split("<!-- walkthrough:start -->")[1].split("<!-- walkthrough:end -->")[0];
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(section);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        assertTrue(blocks.size() > 20, "the walkthrough has its command blocks");
        Path work = Files.createTempDirectory("etcdj-readme-");
        try (EtcdProcess node = EtcdProcess.start()) {
            int checked = 0;
            for (int i = 0; i < blocks.size(); i++) {
                Block block = blocks.get(i);
                if (!block.language().equals("sh")) {
                    continue;
                }
                String output = run(block.text(), node, work);
                if (i + 1 < blocks.size() && !blocks.get(i + 1).language().equals("sh")) {
                    Block expected = blocks.get(++i);
                    String actual = output.replace(Integer.toString(node.clientPort()), "4001")
                            .replace(Integer.toString(node.peerPort()), "7001").trim();
                    String context = "README block:\n" + block.text() + "\nlog:\n" + node.logTail(4000);
                    if (expected.language().equals("json")) {
                        assertSameAnswer(JSON.readTree(expected.text()), JSON.readTree(actual), context);
                    } else {
                        assertEquals(expected.text().trim(), actual, context);
                    }
                    checked++;
                }
            }
            assertTrue(checked > 15, "checked " + checked + " answers");
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String run(String commands, EtcdProcess node, Path work) throws IOException, InterruptedException {
        String script = commands.replace("127.0.0.1:4001", "127.0.0.1:" + node.clientPort())
                .replace("127.0.0.1:7001", "127.0.0.1:" + node.peerPort())
                .replace("curl ", "curl -s ");
        Process p = new ProcessBuilder("bash", "-c", script).directory(work.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "commands finished: " + commands);
        assertEquals(0, p.exitValue(), "exit status of: " + commands);
        return out;
    }

    /** Equal JSON, except that any expiration time is accepted and a ttl may be one second off. */
    private static void assertSameAnswer(JsonNode expected, JsonNode actual, String context) {
        if (expected.isObject()) {
            assertTrue(actual.isObject(), "an object: " + actual + "\n" + context);
            assertEquals(fieldNames(expected), fieldNames(actual), "fields of " + actual + "\n" + context);
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode a = actual.get(f.getKey());
                switch (f.getKey()) {
                    case "expiration" -> assertFalse(a.asText().isEmpty(), context);
                    case "ttl" -> assertTrue(Math.abs(a.asLong() - f.getValue().asLong()) <= 1,
                            "ttl " + a + " vs " + f.getValue() + "\n" + context);
                    default -> assertSameAnswer(f.getValue(), a, context);
                }
            }
        } else if (expected.isArray()) {
            assertEquals(expected.size(), actual.size(), "list " + actual + "\n" + context);
            for (int i = 0; i < expected.size(); i++) {
                assertSameAnswer(expected.get(i), actual.get(i), context);
            }
        } else {
            assertEquals(expected, actual, context);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }
}
