package io.etcdj.wal;

/**
 * One Raft log entry as the write-ahead log stores it.
 *
 * @param index position in the log, from 1
 * @param term  term of the leader that created it
 * @param type  entry kind as the Raft core numbers it (opaque to the log)
 * @param data  payload (opaque to the log)
 */
public record LogEntry(long index, long term, int type, byte[] data) {
}
