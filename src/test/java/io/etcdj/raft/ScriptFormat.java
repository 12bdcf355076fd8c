package io.etcdj.raft;

import io.etcdj.raft.Message.AppendRequest;
import io.etcdj.raft.Message.AppendResponse;
import io.etcdj.raft.Message.Heartbeat;
import io.etcdj.raft.Message.HeartbeatResponse;
import io.etcdj.raft.Message.InstallSnapshot;
import io.etcdj.raft.Message.TimeoutNow;
import io.etcdj.raft.Message.VoteRequest;
import io.etcdj.raft.Message.VoteResponse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Short, stable text for messages, entries and Readies, as script tests print them. */
final class ScriptFormat {
    private ScriptFormat() {
    }

    static String entry(Entry e) {
        String what;
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfChange cc = ConfChange.fromBytes(e.data());
            what = (cc.type() == ConfChange.Type.ADD_MEMBER ? "add " : "remove ") + cc.member();
        } else {
            what = e.isNoop() ? "noop" : new String(e.data(), StandardCharsets.UTF_8);
        }
        return e.index() + "/" + e.term() + " " + what;
    }

    static String entries(List<Entry> es) {
        return es.stream().map(ScriptFormat::entry).collect(Collectors.joining(", ", "[", "]"));
    }

    static String message(Message m) {
        String head = m.from() + "->" + m.to() + " ";
        String body;
        if (m instanceof VoteRequest v) {
            body = (v.preVote() ? "PreVote" : "Vote") + " term=" + v.term() + " last=" + v.lastLogIndex() + "/"
                    + v.lastLogTerm() + (v.leadershipTransfer() ? " transfer" : "");
        } else if (m instanceof VoteResponse v) {
            body = (v.preVote() ? "PreVoteResp" : "VoteResp") + " term=" + v.term()
                    + (v.granted() ? " granted" : " rejected");
        } else if (m instanceof AppendRequest a) {
            body = "App term=" + a.term() + " prev=" + a.prevLogIndex() + "/" + a.prevLogTerm() + " commit="
                    + a.commit() + " entries=" + entries(a.entries());
        } else if (m instanceof AppendResponse a) {
            body = "AppResp term=" + a.term() + (a.success() ? " ok index=" + a.index()
                    : " reject index=" + a.index() + " hint=" + a.rejectHint() + "/" + a.hintTerm());
        } else if (m instanceof Heartbeat h) {
            body = "Heartbeat term=" + h.term() + " commit=" + h.commit() + " round=" + h.readRound();
        } else if (m instanceof HeartbeatResponse h) {
            body = "HeartbeatResp term=" + h.term() + " round=" + h.readRound();
        } else if (m instanceof InstallSnapshot s) {
            body = "Snapshot term=" + s.term() + " index=" + s.snapshot().index() + "/" + s.snapshot().term()
                    + " members=" + s.snapshot().metadata().membership().members();
        } else if (m instanceof TimeoutNow t) {
            body = "TimeoutNow term=" + t.term();
        } else {
            body = m.toString();
        }
        return head + body;
    }

    /** Only the parts of a Ready that are present. */
    static String ready(String name, Ready rd) {
        StringBuilder sb = new StringBuilder(name).append(" ready:");
        if (rd.softState() != null) {
            SoftState s = rd.softState();
            sb.append(" ").append(s.role()).append(s.leader() == null ? "" : "(leader " + s.leader() + ")");
        }
        if (rd.hardState() != null) {
            HardState h = rd.hardState();
            sb.append(" hard=").append(h.term()).append("/").append(h.vote().isEmpty() ? "-" : h.vote())
                    .append("/").append(h.commit());
        }
        if (rd.snapshot() != null) {
            sb.append(" snapshot=").append(rd.snapshot().index()).append("/").append(rd.snapshot().term());
        }
        if (!rd.entries().isEmpty()) {
            sb.append(" persist=").append(entries(rd.entries()));
        }
        if (!rd.committedEntries().isEmpty()) {
            sb.append(" apply=").append(entries(rd.committedEntries()));
        }
        if (!rd.messages().isEmpty()) {
            sb.append(" send=").append(rd.messages().size());
        }
        if (!rd.readStates().isEmpty()) {
            sb.append(" reads=").append(rd.readStates().stream().map(r -> r.requestId() + "@" + r.index())
                    .collect(Collectors.joining(",", "[", "]")));
        }
        return sb.toString();
    }
}
