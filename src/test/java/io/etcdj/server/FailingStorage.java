package io.etcdj.server;

import io.etcdj.raft.Ready;
import io.etcdj.wal.WriteAheadLog;

import java.io.IOException;

/** The node's storage with a disk that fails on demand, before anything of the Ready is written. */
final class FailingStorage extends RaftStorage {
    private volatile IOException failure;
    private volatile int failedPersists;

    FailingStorage(WriteAheadLog wal, Snapshots snapshots) {
        super(wal, snapshots);
    }

    /** Every persist from now on fails with {@code e}, until {@link #heal()}. */
    void fail(IOException e) {
        failure = e;
    }

    void heal() {
        failure = null;
    }

    int failedPersists() {
        return failedPersists;
    }

    @Override
    void persist(Ready rd) throws IOException {
        IOException e = failure;
        if (e != null) {
            failedPersists++;
            throw new IOException(e.getMessage());
        }
        super.persist(rd);
    }
}
