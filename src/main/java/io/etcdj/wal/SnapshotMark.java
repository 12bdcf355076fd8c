package io.etcdj.wal;

/**
 * A record in the log saying that every entry up to {@code index} lives in a snapshot and the log
 * continues with {@code index + 1}: it supersedes all records before it.
 *
 * @param index last entry the snapshot includes
 * @param term  term of that entry
 */
record SnapshotMark(long index, long term) {
}
