package io.etcdj.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "member", description = "Members of the cluster (list).",
        subcommands = MemberCommand.ListMembers.class)
final class MemberCommand {

    /** Reads the member list: {@code /v2/members}, or v0.2's registry where that is missing. */
    static List<Member> members(Session s) throws ApiError, ClusterUnavailable, CommandFailure {
        Reply reply = s.client().send(Request.get("/v2/members"), s.deadline());
        if (reply.status() == 200) {
            return Member.parseList(reply.body());
        }
        if (reply.status() == 404 && ApiError.fromJson(ClusterClient.parse(reply.body())) == null) {
            Reply registry = s.client().send(Request.get("/v2/keys/_etcd/machines"), s.deadline());
            if (registry.status() == 200) {
                return Member.parseRegistry(registry.body());
            }
            reply = registry;
        }
        ApiError error = ApiError.fromJson(ClusterClient.parse(reply.body()));
        if (error != null) {
            throw error;
        }
        throw new CommandFailure(CommandFailure.SERVER_ERROR, "unexpected status code " + reply.status());
    }

    @Command(name = "list", description = "List the members: id, name, peer and client URLs, and which one leads.")
    static final class ListMembers extends CtlCommand {
        @Parameters(arity = "0", hidden = true)
        List<String> none;

        @Override
        int run(Session s) throws Exception {
            List<Member> members;
            try {
                members = members(s);
            } catch (ApiError | ClusterUnavailable | CommandFailure e) {
                s.err().println(e.getMessage().strip());
                return 1;
            }
            String leaderPeerUrl;
            try {
                Reply leader = s.client().send(Request.get("/v2/leader"), s.deadline());
                if (leader.status() != 200) {
                    throw new CommandFailure(1, "unexpected status code " + leader.status());
                }
                leaderPeerUrl = leader.body().trim();
            } catch (ClusterUnavailable | CommandFailure e) {
                s.err().println("Failed to get leader:  " + e.getMessage().strip());
                return 1;
            }
            for (Member m : members) {
                if (m.name().isEmpty()) {
                    s.out().println(m.id() + "[unstarted]: peerURLs=" + String.join(",", m.peerUrls()));
                } else {
                    s.out().println(m.id() + ": name=" + m.name() + " peerURLs=" + String.join(",", m.peerUrls())
                            + " clientURLs=" + String.join(",", m.clientUrls())
                            + " isLeader=" + m.peerUrls().contains(leaderPeerUrl));
                }
            }
            return 0;
        }
    }
}
