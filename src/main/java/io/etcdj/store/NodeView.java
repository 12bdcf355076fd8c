package io.etcdj.store;

import java.time.Instant;
import java.util.List;

/**
 * An immutable external view of a node, as it appears in responses and events.
 *
 * @param key           absolute key, e.g. {@code /foo/bar}
 * @param value         the value; null for directories (and omitted when empty, as the reference does)
 * @param prevValue     previous value where the reference reports one (v1 answers); else null
 * @param dir           whether the node is a directory
 * @param expiration    absolute expiration, or null for a permanent node
 * @param ttl           seconds left (as the reference computes it), 0 when permanent
 * @param nodes         children for directory listings, null when not listed
 * @param modifiedIndex index of the last change
 * @param createdIndex  index of the creation
 */
public record NodeView(String key, String value, String prevValue, boolean dir, Instant expiration,
                       long ttl, List<NodeView> nodes, long modifiedIndex, long createdIndex) {
}
