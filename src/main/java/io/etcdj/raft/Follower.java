package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;

/** The follower's side of replication: AppendEntries (§5.3), heartbeats and InstallSnapshot (§7). */
final class Follower {
    private final Raft raft;

    Follower(Raft raft) {
        this.raft = raft;
    }

    /**
     * §5.3: accept the entries if our log holds the leader's previous entry, else reject with a
     * hint that lets the leader skip back a whole term at a time.
     */
    void handleAppend(AppendRequest m) {
        RaftLog log = raft.log;
        if (m.prevLogIndex() < log.committed()) {
            // Everything up to our commit index matches any leader's log (§5.4.3); say so.
            raft.send(new AppendResponse(raft.self, m.from(), raft.term, true, log.committed(), 0, 0));
            return;
        }
        long lastNew = log.maybeAppend(m.prevLogIndex(), m.prevLogTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            raft.send(new AppendResponse(raft.self, m.from(), raft.term, true, lastNew, 0, 0));
            return;
        }
        long hint = log.findConflictByTerm(m.prevLogIndex(), m.prevLogTerm());
        long hintTerm = Math.max(0, log.term(hint));
        raft.send(new AppendResponse(raft.self, m.from(), raft.term, false, m.prevLogIndex(), hint, hintTerm));
    }

    void handleHeartbeat(Heartbeat m) {
        raft.log.commitTo(m.commit());
        raft.send(new HeartbeatResponse(raft.self, m.from(), raft.term, m.readRound()));
    }

    /**
     * §7: a snapshot replaces the log unless the log already holds its last entry, in which case
     * the entries after it are kept and only the commit index moves.
     */
    void handleSnapshot(InstallSnapshot m) {
        RaftLog log = raft.log;
        Snapshot s = m.snapshot();
        if (s.index() <= log.committed()) {
            raft.send(new AppendResponse(raft.self, m.from(), raft.term, true, log.committed(), 0, 0));
            return;
        }
        if (log.matchTerm(s.index(), s.term())) {
            log.commitTo(s.index());
        } else {
            log.restore(s);
            raft.tracker.setMembership(s.metadata().membership(), log.lastIndex() + 1);
        }
        raft.send(new AppendResponse(raft.self, m.from(), raft.term, true, s.index(), 0, 0));
    }
}
