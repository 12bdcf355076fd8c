package io.etcdj.config;

import java.util.List;

/**
 * What loading the configuration came to. Whatever the outcome, the caller first prints each
 * of {@link #warnings()} as a line on stderr (deprecation hints and guesses made), then:
 * <ul>
 *   <li>{@link Loaded}: starts the node with the config;</li>
 *   <li>{@link Print}: prints the text on stdout and exits with the code (help, version);</li>
 *   <li>{@link Failure}: prints the message as one line on stderr and exits with the code.</li>
 * </ul>
 */
public sealed interface LoadResult {

    /** Lines for stderr, in order, each complete. */
    List<String> warnings();

    record Loaded(Config config, List<String> warnings) implements LoadResult {
        public Loaded {
            warnings = List.copyOf(warnings);
        }
    }

    record Print(String text, int exitCode, List<String> warnings) implements LoadResult {
        public Print {
            warnings = List.copyOf(warnings);
        }
    }

    /** @param message one line, starting with {@code etcd: } */
    record Failure(String message, int exitCode, List<String> warnings) implements LoadResult {
        public Failure {
            warnings = List.copyOf(warnings);
        }
    }
}
