package io.etcdj.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;

/**
 * A saved store, decoded and checked, ready for {@link Store#recover(StoreSnapshot)}: decoding
 * (slow, and where bad input is refused) is kept apart from installing (quick, and cannot fail),
 * so that a snapshot from the network is validated before anything is changed.
 *
 * <h2>Format (version 3)</h2>
 * A binary prefix, a JSON head and the nodes as binary records. The head is written and read
 * with Jackson's streaming API; its nesting depth is at most four whatever the shape of the tree.
 * The nodes are flat records (no nesting at all), each carrying its full key, in pre-order, and a
 * node's parent is the directory its key names; see {@link NodeRecords} for their layout.
 * <pre>
 * int   0x00455333                     "\0ES3": a zero byte, which never starts a JSON text
 * int   head length, then the head:
 * {"version": 3,                       always the first field
 *  "index": 42,                        the store index
 *  "stats": {"getsSuccess": 3, ...},   the counters by their /v2/stats/store names
 *  "history": [event, ...]}            the kept events, oldest first
 * node records, then the byte 0x80     every node but the root (which is fixed), in pre-order:
 *                                      each right after its parent or its parent's previous subtree
 * event = {"action": "set", "views": [view, ...]}
 *         the event's node first, then (for a listing) the nodes below it in pre-order
 * view  = {"parent": 0, "key": "/a", "value": "v", "prevValue": "u", "dir": true, "expiration": "...",
 *          "ttl": 5, "listed": true, "created": 1, "modified": 2}
 *         "parent" (the position of the view whose nodes list this one) is absent only for the
 *         first; "listed" means nodes is a list (possibly empty) rather than null; absent
 *         strings are null, absent booleans false, absent ttl 0
 * </pre>
 * Version 2, written by earlier builds and still read, is one JSON object: the head with a
 * {@code "nodes"} array between "stats" and "history", each node an object such as
 * {@code {"key": "/a/b", "dir": true, "expire": "2024-01-01T00:00:30Z", "created": 2, "modified": 6}}
 * (a file has "value", possibly "", and no "dir"; "expire" is absent for a permanent node). Both
 * versions go through the same checks of the tree. The binary records made a restart with a
 * million keys decode in about half the CPU time, from less than half the bytes.
 *
 * Instants in JSON are ISO-8601 (as {@link java.time.Instant#toString()}). Unknown fields,
 * duplicate fields or keys, nodes out of pre-order, unknown record flags, lengths past the end and
 * anything after the document are refused.
 *
 * <p>An instance holds nodes that become the store's own when installed: it can be installed once.
 */
public final class StoreSnapshot {
    /** Format version written, so that a later change of shape is recognised instead of misread. */
    static final int VERSION = 3;

    /** The all-JSON version written before: still read, so existing snapshots load. */
    static final int JSON_VERSION = 2;

    /** First bytes of a version 3 snapshot: "\0ES3"; a zero byte never starts a JSON text. */
    static final int BINARY_MAGIC = 0x00455333;

    /** The magic number and the head's length. */
    static final int BINARY_PREFIX_BYTES = 8;

    /** Deepest JSON nesting of the format is 4 (history, event, views, view); room to spare. */
    static final int MAX_NESTING_DEPTH = 16;

    /**
     * Longest string, in chars: values are limited to 1 MiB and keys to 8 KiB by the client API;
     * 64 Mi chars leaves a wide margin, and the writer refuses to write a longer string so that a
     * snapshot it writes can always be read back.
     */
    static final int MAX_STRING_CHARS = 64 << 20;

    /** Field names are ours (the longest is "compareAndSwapSuccess"). */
    static final int MAX_NAME_CHARS = 256;

    /** Numbers are longs: 19 digits and a sign. Larger ones are refused, not parsed as big numbers. */
    static final int MAX_NUMBER_CHARS = 32;

    /**
     * Snapshots live in one byte array, so a document cannot pass 2 GiB; the limit is stated to
     * say that size itself is never refused.
     */
    static final long MAX_DOCUMENT_BYTES = Integer.MAX_VALUE;

    static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNameLength(MAX_NAME_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .maxDocumentLength(MAX_DOCUMENT_BYTES)
                    .build())
            .streamWriteConstraints(StreamWriteConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .build())
            // duplicate fields are refused by the reader itself, without a set per object
            // error messages must not echo (possibly huge or hostile) input
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // names from hostile input must not fill the JVM's string pool
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private final long index;
    private final Node root;
    private final List<Node> expiring;
    private final int nodeCount;
    private final List<Event> history;
    private final Map<String, Long> stats;
    private final AtomicBoolean installed = new AtomicBoolean();

    StoreSnapshot(long index, Node root, List<Node> expiring, int nodeCount, List<Event> history,
                  Map<String, Long> stats) {
        this.index = index;
        this.root = root;
        this.expiring = expiring;
        this.nodeCount = nodeCount;
        this.history = history;
        this.stats = stats;
    }

    /**
     * Decodes and checks a saved store from {@link Store#save()}, changing nothing.
     *
     * @throws IllegalArgumentException for anything that is not a whole saved store of this
     *                                  version, with what is wrong (and never another exception)
     */
    public static StoreSnapshot decode(byte[] data) {
        return StoreSnapshotReader.read(data);
    }

    /** The store index the snapshot holds. */
    public long index() {
        return index;
    }

    /** Number of nodes, the root excluded. */
    public int nodeCount() {
        return nodeCount;
    }

    /** Hands the nodes over to a store, once. */
    void claim() {
        if (!installed.compareAndSet(false, true)) {
            throw new IllegalStateException("this snapshot has already been installed in a store");
        }
    }

    Node root() {
        return root;
    }

    /** The nodes with an expiration, for the TTL queue. */
    List<Node> expiring() {
        return expiring;
    }

    List<Event> history() {
        return history;
    }

    Map<String, Long> stats() {
        return stats;
    }
}
