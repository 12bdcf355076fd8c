package io.etcdj.config;

import io.etcdj.fs.DurableFile;
import io.etcdj.fs.FileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * The node's data dir and the identity kept in it. {@link #prepare} creates the dir, applies
 * {@code -force}, and settles who the node is: the identity stored by an earlier run wins over
 * the configuration, as in the reference, so a node cannot silently change name or addresses
 * under its cluster; {@code -force} is how an operator starts afresh.
 */
public final class DataDir {
    /** The identity file, inside the data dir. */
    public static final String INFO_FILE = "info";

    /**
     * What {@code -force} deletes inside the data dir: the identity and the reference's log,
     * cluster configuration and snapshot entries. Anything else in the dir is left alone, so
     * the node's storage must keep its files under these names.
     */
    public static final List<String> FORCE_RESET_ENTRIES = List.of(INFO_FILE, "log", "conf", "snapshot");

    private DataDir() {}

    /**
     * What the node starts as.
     *
     * @param config   the configuration with the identity fields (name, client and peer
     *                 endpoints) taken from {@code info}; start the node with this one
     * @param info     the identity, as now stored in the data dir
     * @param fresh    true when no identity was stored (a new node, or {@code -force})
     * @param warnings lines for stderr: where the stored identity overrode the configuration
     */
    public record Prepared(Config config, NodeInfo info, boolean fresh, List<String> warnings) {
        public Prepared {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Creates the data dir if missing, deletes {@link #FORCE_RESET_ENTRIES} when
     * {@code config.force()}, then reads the stored identity or, if there is none, stores the
     * configuration's.
     *
     * @throws ConfigException when the dir cannot be created or written, or its info file is
     *                         unreadable; the one-line message is for stderr
     */
    public static Prepared prepare(Config config) throws ConfigException {
        Path dir = config.dataDir();
        create(dir);
        if (config.force()) {
            reset(dir);
        }
        Optional<NodeInfo> stored = readInfo(dir);
        if (stored.isEmpty()) {
            NodeInfo info = NodeInfo.of(config);
            writeInfo(dir, info);
            return new Prepared(config, info, true, List.of());
        }
        NodeInfo info = stored.get();
        Config effective;
        try {
            effective = config.withIdentity(info);
        } catch (ConfigException e) {
            throw new ConfigException(dir.resolve(INFO_FILE) + " is damaged: " + e.getMessage()
                    + "; use -force to discard it");
        }
        return new Prepared(effective, info, false, differences(config, effective, dir));
    }

    /** Deletes what {@code -force} discards; see {@link #FORCE_RESET_ENTRIES}. */
    public static void reset(Path dir) throws ConfigException {
        for (String entry : FORCE_RESET_ENTRIES) {
            deleteTree(dir.resolve(entry));
        }
    }

    static Optional<NodeInfo> readInfo(Path dir) throws ConfigException {
        return readInfo(FileSystem.real(), dir);
    }

    static Optional<NodeInfo> readInfo(FileSystem fs, Path dir) throws ConfigException {
        Path file = dir.resolve(INFO_FILE);
        byte[] bytes;
        try {
            bytes = fs.readAll(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + reason(e), e);
        }
        try {
            NodeInfo info = NodeInfoJson.read(bytes);
            if (info == null || info.name() == null || info.name().isBlank()) {
                throw new ConfigException(file + " is damaged: no name; use -force to discard it");
            }
            return Optional.of(info);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + " is damaged: "
                    + e.getOriginalMessage().lines().findFirst().orElse("bad JSON") + "; use -force to discard it", e);
        } catch (NodeInfoJson.BadInfo e) {
            throw new ConfigException(file + " is damaged: " + e.getMessage() + "; use -force to discard it", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** Writes the identity so that a crash leaves either the old file or the new one, whole. */
    static void writeInfo(Path dir, NodeInfo info) throws ConfigException {
        writeInfo(FileSystem.real(), dir, info);
    }

    /** As {@link #writeInfo(Path, NodeInfo)}, through {@code fs}. */
    static void writeInfo(FileSystem fs, Path dir, NodeInfo info) throws ConfigException {
        Path file = dir.resolve(INFO_FILE);
        Path temp = dir.resolve(INFO_FILE + ".tmp");
        try {
            byte[] bytes = NodeInfoJson.write(info);
            // A temporary file left by a crash may hold anything: start it afresh.
            fs.deleteIfExists(temp);
            try (DurableFile channel = fs.create(temp)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            fs.rename(temp, file);
            syncDirectory(fs, dir);
        } catch (IOException e) {
            try {
                // a full disk: leave nothing half-written behind for the next start
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new ConfigException("cannot write " + file + ": " + reason(e), e);
        }
    }

    private static void create(Path dir) throws ConfigException {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException("data dir " + dir + " is not a directory");
        } catch (IOException e) {
            throw new ConfigException("cannot create data dir " + dir + ": " + reason(e), e);
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigException("data dir " + dir + " is not writable");
        }
    }

    private static void syncDirectory(FileSystem fs, Path dir) throws IOException {
        // Makes the rename durable. Some platforms cannot open a directory; there the rename's
        // durability is left to the file system.
        try {
            fs.syncDirectory(dir);
        } catch (IOException | UnsupportedOperationException e) {
            // the identity is written; only its durability is the file system's to decide
        }
    }

    private static void deleteTree(Path path) throws ConfigException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ConfigException("-force: cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    private static List<String> differences(Config given, Config kept, Path dir) {
        List<String> lines = new ArrayList<>();
        String where = dir.resolve(INFO_FILE).toString();
        if (!given.nameFromHost()) {
            differ(lines, where, "name", kept.name(), given.name(), "-name");
        }
        differ(lines, where, "client URL", kept.clientUrl(), given.clientUrl(), "-addr");
        differ(lines, where, "client bind address", kept.client().bind().toString(),
                given.client().bind().toString(), "-bind-addr");
        differ(lines, where, "client TLS files", kept.client().tls().toString(), given.client().tls().toString(),
                "-ca-file/-cert-file/-key-file");
        differ(lines, where, "peer URL", kept.peerUrl(), given.peerUrl(), "-peer-addr");
        differ(lines, where, "peer bind address", kept.peer().bind().toString(),
                given.peer().bind().toString(), "-peer-bind-addr");
        differ(lines, where, "peer TLS files", kept.peer().tls().toString(), given.peer().tls().toString(),
                "-peer-ca-file/-peer-cert-file/-peer-key-file");
        return lines;
    }

    private static void differ(List<String> lines, String where, String what, String kept, String given, String flag) {
        if (!Objects.equals(kept, given)) {
            lines.add("[warning] keeping the " + what + " stored in " + where + " (" + kept + "), not " + flag + " "
                    + given + "; use -force to replace the stored identity");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
