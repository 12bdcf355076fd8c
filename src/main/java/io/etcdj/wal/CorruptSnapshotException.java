package io.etcdj.wal;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot file that cannot be trusted: damaged, truncated, or of an unknown format. */
public final class CorruptSnapshotException extends IOException {
    private final transient Path file;
    private final String reason;

    public CorruptSnapshotException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String reason() {
        return reason;
    }
}
