package io.etcdj.server;

import io.etcdj.raft.Ready;
import io.etcdj.raft.Snapshot;
import io.etcdj.wal.WriteAheadLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * What the Raft core asks to be made durable: the hard state and new entries go to the log
 * (fsynced when the Ready says so), and a snapshot received from the leader goes to the snapshot
 * directory before the log is reset to continue from it. A failure here is a failure of the
 * local disk: the node loop holds the Ready and tries it again (see {@link NodeLoop}), which the
 * log allows since a failed save leaves it as it was. Not final: tests fail it on demand.
 */
class RaftStorage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftStorage.class);

    private final WriteAheadLog wal;
    private final Snapshots snapshots;

    RaftStorage(WriteAheadLog wal, Snapshots snapshots) {
        this.wal = wal;
        this.snapshots = snapshots;
    }

    void persist(Ready rd) throws IOException {
        Snapshot snapshot = rd.snapshot();
        if (snapshot != null) {
            LOG.info("installing the leader's snapshot at index {} (term {})", snapshot.index(), snapshot.term());
            snapshots.install(snapshot);
            wal.resetTo(snapshot.index(), snapshot.term());
        }
        wal.save(rd.hardState(), rd.entries(), rd.mustSync() || !rd.entries().isEmpty());
    }

    /** Deletes the log segments wholly before {@code snapshot}; returns how many. */
    int releaseBefore(Snapshot snapshot) throws IOException {
        return wal.releaseBefore(snapshot.index());
    }

    boolean snapshotsEnabled() {
        return snapshots.enabled();
    }

    long syncCount() {
        return wal.syncCount();
    }

    @Override
    public void close() throws IOException {
        snapshots.close();
        wal.close();
    }
}
