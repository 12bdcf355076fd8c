package io.etcdj.store;

import java.time.Instant;
import java.util.List;

/**
 * An immutable external view of a node, as it appears in responses and events.
 *
 * <p>Rendering to the reference's JSON omits empty values: an empty {@code value}, a null or empty
 * {@code nodes}, {@code dir} when false, a null {@code expiration}, {@code ttl} when 0 and indexes
 * when 0 (the root directory has index 0).
 *
 * @param key           absolute key, e.g. {@code /foo/bar}
 * @param value         the value of a file (may be empty); null for directories and in delete and
 *                      expire events. An update event on a directory carries the empty new value
 *                      and {@code dir == false}, as the reference reports it.
 * @param prevValue     the value replaced or removed, where the reference tracks one: set over an
 *                      existing file, update of a file, compareAndSwap, delete of a file. It may be
 *                      empty; null when there was none. v1 answers report it, and v1/v2 treat a set
 *                      whose prevValue is null or empty as creating the key.
 * @param dir           whether the node is a directory
 * @param expiration    absolute expiration, or null for a permanent node
 * @param ttl           seconds left (as the reference computes it), 0 when permanent
 * @param nodes         the visible (non-hidden) children in a get of a directory, and below them
 *                      when recursive; null when not listed
 * @param modifiedIndex index of the last change
 * @param createdIndex  index of the creation
 */
public record NodeView(String key, String value, String prevValue, boolean dir, Instant expiration,
                       long ttl, List<NodeView> nodes, long modifiedIndex, long createdIndex) {
}
