package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.VoteRequest;

import java.util.List;

/**
 * What no honest member can send, whatever the state of the receiver: negative or absurd terms
 * and indexes, entries that do not follow {@code prevLogIndex} one by one, entries or snapshots
 * of a term later than the message's, membership changes that cannot be decoded, a snapshot with
 * no members. Checked before a message touches any state, so that such a message changes
 * nothing, not even the term.
 */
final class MessageShape {
    /**
     * Largest term or index accepted from the network. A cluster never comes near it, and the
     * headroom above it keeps {@code term + 1} and {@code index + count} far from overflow.
     */
    static final long MAX = 1L << 62;

    private MessageShape() {
    }

    /** Why the message cannot be honest, or {@code null} if its shape is possible. */
    static String defect(Message m) {
        if (!valid(m.term())) {
            return "term " + m.term() + " is out of range";
        }
        if (m instanceof VoteRequest v) {
            if (!valid(v.lastLogIndex()) || !valid(v.lastLogTerm()) || v.lastLogTerm() > v.term()) {
                return "its last log position " + v.lastLogIndex() + "/" + v.lastLogTerm()
                        + " is impossible in term " + v.term();
            }
        } else if (m instanceof AppendRequest a) {
            return appendDefect(a);
        } else if (m instanceof AppendResponse r) {
            if (!valid(r.index()) || !valid(r.rejectHint()) || !valid(r.hintTerm()) || r.hintTerm() > r.term()) {
                return "its index " + r.index() + ", hint " + r.rejectHint() + "/" + r.hintTerm() + " are out of range";
            }
        } else if (m instanceof Heartbeat h) {
            if (!valid(h.commit()) || !valid(h.readRound())) {
                return "its commit index " + h.commit() + " or read round " + h.readRound() + " is out of range";
            }
        } else if (m instanceof HeartbeatResponse h) {
            if (!valid(h.readRound())) {
                return "its read round " + h.readRound() + " is out of range";
            }
        } else if (m instanceof InstallSnapshot s) {
            SnapshotMetadata meta = s.snapshot().metadata();
            if (meta.index() > MAX || meta.term() > s.term()) {
                return "its snapshot position " + meta.index() + "/" + meta.term() + " is impossible in term " + s.term();
            }
            if (meta.membership().size() == 0) {
                return "its snapshot has no members";
            }
        }
        return null;
    }

    private static String appendDefect(AppendRequest a) {
        if (!valid(a.prevLogIndex()) || !valid(a.prevLogTerm()) || !valid(a.commit()) || a.prevLogTerm() > a.term()) {
            return "its position " + a.prevLogIndex() + "/" + a.prevLogTerm() + " or commit index " + a.commit()
                    + " is impossible in term " + a.term();
        }
        if (a.prevLogIndex() == 0 && a.prevLogTerm() != 0) {
            return "it names term " + a.prevLogTerm() + " for index 0";
        }
        List<Entry> entries = a.entries();
        if (entries.size() > MAX - a.prevLogIndex()) {
            return "its entries run past the largest index";
        }
        long expected = a.prevLogIndex() + 1;
        long previousTerm = a.prevLogTerm();
        for (Entry e : entries) {
            if (e.index() != expected) {
                return "its entry " + e.index() + " does not follow index " + (expected - 1);
            }
            if (e.term() < previousTerm || e.term() > a.term()) {
                return "its entry " + e.index() + " has term " + e.term() + " after term " + previousTerm
                        + " in a message of term " + a.term();
            }
            if (e.type() == EntryType.CONF_CHANGE && !decodable(e)) {
                return "its entry " + e.index() + " is an unreadable membership change";
            }
            expected++;
            previousTerm = e.term();
        }
        return null;
    }

    private static boolean decodable(Entry e) {
        try {
            ConfChange.fromBytes(e.data());
            return true;
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
    }

    private static boolean valid(long value) {
        return value >= 0 && value <= MAX;
    }
}
