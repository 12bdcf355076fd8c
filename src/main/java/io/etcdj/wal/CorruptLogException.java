package io.etcdj.wal;

import java.io.IOException;
import java.nio.file.Path;

/** The log holds damage that is not a torn tail: the node must not start from it. */
public final class CorruptLogException extends IOException {
    public CorruptLogException(Path file, long offset, String what) {
        super(file + " at offset " + offset + ": " + what);
    }
}
