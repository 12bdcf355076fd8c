package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.TimeoutNow;

import java.util.List;
import java.util.Map;

/**
 * The leader's side of log replication (§5.3): proposals, appends and heartbeats to each
 * follower according to its {@link Progress}, commitment by counting replicas (§5.4.2), and
 * confirmation of read requests.
 */
final class Replication {
    private final Raft raft;

    Replication(Raft raft) {
        this.raft = raft;
    }

    Entry propose(EntryType type, byte[] data) {
        Entry e = new Entry(raft.log.lastIndex() + 1, raft.term, type, data);
        raft.log.append(e);
        // The leader's own copy counts once the server persisted it (RaftNode.advance).
        broadcastAppend();
        return e;
    }

    /** Appends the commands in order, then sends each follower what it lacks once for them all. */
    Entry proposeAll(List<byte[]> data) {
        Entry e = null;
        for (byte[] d : data) {
            e = new Entry(raft.log.lastIndex() + 1, raft.term, EntryType.NORMAL, d);
            raft.log.append(e);
        }
        broadcastAppend();
        return e;
    }

    /**
     * The commit index advanced and the followers have not all been told. They are told once per
     * Ready ({@link #flushCommit}) rather than once per acknowledgement: under load many
     * acknowledgements arrive together, and each would otherwise send every follower a message.
     */
    boolean commitToBroadcast;

    /**
     * Tells every follower the commit index, unless a message to it in this Ready already does
     * (an append of new entries carries it). Called when a Ready is made.
     */
    void flushCommit() {
        if (!commitToBroadcast) {
            return;
        }
        commitToBroadcast = false;
        if (raft.role != Role.LEADER) {
            return;
        }
        long commit = raft.log.committed();
        for (String member : raft.tracker.membership().members()) {
            if (!member.equals(raft.self) && !toldCommit(member, commit)) {
                sendAppend(member, true);
            }
        }
    }

    private boolean toldCommit(String member, long commit) {
        for (Message m : raft.outbox) {
            if (m instanceof AppendRequest a && a.to().equals(member) && a.commit() >= commit) {
                return true;
            }
        }
        return false;
    }

    void broadcastAppend() {
        for (String member : raft.tracker.membership().members()) {
            if (!member.equals(raft.self)) {
                sendAppend(member, true);
            }
        }
    }

    /**
     * Sends the follower what it lacks, from its {@code next}: entries up to the byte limit, or a
     * snapshot if they are compacted. Returns whether a message went out.
     */
    boolean sendAppend(String to, boolean sendIfEmpty) {
        Progress pr = raft.tracker.progress(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm = raft.log.term(prevIndex);
        List<Entry> entries = prevTerm == RaftLog.UNKNOWN ? null
                : raft.log.entriesFrom(pr.next, raft.config.maxBytesPerMessage());
        if (entries == null) {
            return sendSnapshot(to, pr);
        }
        if (entries.isEmpty() && !sendIfEmpty) {
            return false;
        }
        raft.send(new AppendRequest(raft.self, to, raft.term, prevIndex, prevTerm, entries, raft.log.committed()));
        pr.sentAppend(entries.isEmpty() ? 0 : entries.get(entries.size() - 1).index());
        return true;
    }

    private boolean sendSnapshot(String to, Progress pr) {
        Snapshot snapshot = raft.log.snapshot();
        if (!pr.recentActive || snapshot == null) {
            // Not worth shipping a whole snapshot to a member that may be down.
            return false;
        }
        pr.becomeSnapshot(snapshot.index());
        raft.send(new InstallSnapshot(raft.self, to, raft.term, snapshot));
        return true;
    }

    void broadcastHeartbeat() {
        long round = raft.reads.round();
        for (Map.Entry<String, Progress> e : raft.tracker.all().entrySet()) {
            if (!e.getKey().equals(raft.self)) {
                // Only vouch for a commit index the follower is known to hold.
                long commit = Math.min(e.getValue().match, raft.log.committed());
                raft.send(new Heartbeat(raft.self, e.getKey(), raft.term, commit, round));
            }
        }
    }

    /** Returns why the answer was dropped, or {@code null}. */
    String handleAppendResponse(AppendResponse m) {
        if (m.unknownLeader()) {
            unknownTo(m.from(), m.rejectHint());
            return null;
        }
        if (m.index() > raft.log.lastIndex()) {
            // Every append of this term followed an entry of our log: no honest answer names more.
            return (m.success() ? "it acknowledges index " : "it rejects an append after index ") + m.index()
                    + " beyond the leader's last index " + raft.log.lastIndex();
        }
        if (!m.success() && m.rejectHint() > m.index()) {
            return "its hint " + m.rejectHint() + " is beyond the rejected index " + m.index();
        }
        Progress pr = raft.tracker.progress(m.from());
        if (pr == null) {
            return null;
        }
        pr.recentActive = true;
        if (!m.success()) {
            long hint = m.rejectHint();
            if (m.hintTerm() > 0) {
                // Skip every entry of ours whose term cannot match the follower's (§5.3 optimization).
                hint = raft.log.findConflictByTerm(m.rejectHint(), m.hintTerm());
            }
            if (pr.maybeDecrTo(m.index(), hint)) {
                if (pr.state == Progress.State.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.from(), true);
            }
            return null;
        }
        boolean wasPaused = pr.isPaused();
        boolean updated = pr.maybeUpdate(m.index());
        switch (pr.state) {
            case PROBE -> {
                if (!updated && pr.match != m.index()) {
                    return null;
                }
                pr.becomeReplicate();
            }
            case SNAPSHOT -> {
                // The follower holds the snapshot (or did not need it): resume with appends.
                if (pr.match + 1 < raft.log.firstIndex()) {
                    return null;
                }
                pr.becomeProbe();
                pr.becomeReplicate();
            }
            case REPLICATE -> {
                if (!updated) {
                    return null;
                }
                pr.inflights.freeLE(m.index());
            }
        }
        if (maybeCommit()) {
            commitToBroadcast = true;
        }
        if (wasPaused) {
            sendAppend(m.from(), true);
        }
        // Keep the pipeline full while there is more to send.
        while (sendAppend(m.from(), false)) {
            // each call sends one more batch
        }
        return null;
    }

    /** Returns why the answer was dropped, or {@code null}. */
    String handleHeartbeatResponse(HeartbeatResponse m) {
        if (m.readRound() > raft.reads.round()) {
            return "it echoes read round " + m.readRound() + ", but the latest is " + raft.reads.round();
        }
        Progress pr = raft.tracker.progress(m.from());
        if (pr == null) {
            return null;
        }
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state == Progress.State.REPLICATE && pr.inflights.full()) {
            // An ack may have been lost; make room to probe rather than stall forever.
            pr.inflights.freeFirst();
        }
        if (pr.match < raft.log.lastIndex()) {
            sendAppend(m.from(), true);
        }
        raft.reads.ack(m.from(), m.readRound());
        releaseReads();
        return null;
    }

    /** Whether this leader asked for a hand-over in the current election timeout. */
    boolean handoverAsked;

    /**
     * {@code member} drops our messages: its log ends at {@code lastIndex}, before our own
     * addition. Only a leader it knows can bring it up to date, so ask an up-to-date follower
     * that may have been a member at that index to campaign (once per election timeout).
     */
    private void unknownTo(String member, long lastIndex) {
        if (handoverAsked || raft.tracker.progress(member) == null) {
            return;
        }
        // A member added before our log starts may be known to it; one added after its last index is not.
        Map<String, Long> added = raft.log.additions();
        for (Map.Entry<String, Progress> e : raft.tracker.all().entrySet()) {
            String name = e.getKey();
            if (!name.equals(raft.self) && !name.equals(member) && e.getValue().match == raft.log.lastIndex()
                    && added.getOrDefault(name, 0L) <= lastIndex) {
                handoverAsked = true;
                raft.send(new TimeoutNow(raft.self, name, raft.term));
                return;
            }
        }
    }

    /** The server persisted the leader's own entries up to {@code index}. */
    void persisted(long index) {
        Progress pr = raft.tracker.progress(raft.self);
        if (pr != null && pr.maybeUpdate(index) && maybeCommit()) {
            commitToBroadcast = true;
        }
    }

    /** Advances the commit index to what a quorum holds, if it is of this term (§5.4.2). */
    boolean maybeCommit() {
        boolean wasCommittedInTerm = committedInTerm();
        if (!raft.log.maybeCommit(raft.tracker.quorumMatch(), raft.term)) {
            return false;
        }
        if (!wasCommittedInTerm && !raft.readsAwaitingCommit.isEmpty()) {
            for (long requestId : raft.readsAwaitingCommit) {
                raft.reads.add(requestId, raft.log.committed());
            }
            raft.readsAwaitingCommit.clear();
            confirmReads();
        }
        return true;
    }

    boolean committedInTerm() {
        return raft.log.term(raft.log.committed()) == raft.term;
    }

    /**
     * §6.4 of the thesis: remember the commit index, then confirm with a quorum that we were
     * still leader after the request arrived. A new leader first commits its no-op, so that its
     * commit index is at least that of any earlier leader.
     */
    long readIndex(long requestId) {
        if (!committedInTerm()) {
            raft.readsAwaitingCommit.add(requestId);
            return 0;
        }
        long index = raft.log.committed();
        raft.reads.add(requestId, index);
        confirmReads();
        return index;
    }

    private void confirmReads() {
        if (raft.tracker.membership().size() == 1) {
            releaseReads();
        } else {
            broadcastHeartbeat();
        }
    }

    private void releaseReads() {
        if (!raft.reads.isEmpty()) {
            raft.readStates.addAll(raft.reads.release(raft.tracker.membership(), raft.self));
        }
    }

    void reportSnapshot(String member, boolean success) {
        Progress pr = raft.tracker.progress(member);
        if (pr == null || pr.state != Progress.State.SNAPSHOT) {
            return;
        }
        if (!success) {
            pr.pendingSnapshot = 0;
        }
        // Wait for the follower's answer (or the next heartbeat) before sending more.
        pr.becomeProbe();
        pr.probeSent = true;
    }

    void reportUnreachable(String member) {
        Progress pr = raft.tracker.progress(member);
        if (pr != null && pr.state == Progress.State.REPLICATE) {
            pr.becomeProbe();
        }
    }

    /** Reacts to an applied membership change (the tracker already holds the new one). */
    void membershipChanged(Membership before) {
        if (!raft.promotable()) {
            handOver();
            raft.becomeFollower(raft.term, null);
            return;
        }
        if (maybeCommit()) {
            broadcastAppend();
        }
        for (String member : raft.tracker.membership().members()) {
            if (!before.contains(member)) {
                sendAppend(member, true);
            }
        }
        releaseReads();
    }

    /**
     * A removed leader asks its most up-to-date follower to campaign at once (§3.10 of the
     * thesis), so the cluster does not wait an election timeout.
     */
    private void handOver() {
        String best = null;
        long bestMatch = -1;
        for (Map.Entry<String, Progress> e : raft.tracker.all().entrySet()) {
            if (!e.getKey().equals(raft.self) && e.getValue().match > bestMatch) {
                best = e.getKey();
                bestMatch = e.getValue().match;
            }
        }
        if (best != null && bestMatch == raft.log.lastIndex()) {
            raft.send(new TimeoutNow(raft.self, best, raft.term));
        }
    }

    /**
     * The follower with the longest log this leader knows of, preferring those heard from in the
     * current election timeout; null without followers.
     */
    String bestFollower() {
        String best = null;
        Progress bestProgress = null;
        for (Map.Entry<String, Progress> e : raft.tracker.all().entrySet()) {
            Progress pr = e.getValue();
            if (e.getKey().equals(raft.self)) {
                continue;
            }
            if (bestProgress == null || (pr.recentActive && !bestProgress.recentActive)
                    || (pr.recentActive == bestProgress.recentActive && pr.match > bestProgress.match)) {
                best = e.getKey();
                bestProgress = pr;
            }
        }
        return best;
    }
}
