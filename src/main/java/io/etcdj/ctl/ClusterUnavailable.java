package io.etcdj.ctl;

import java.util.List;

/**
 * No endpoint could answer a request: each was unreachable, timed out or said it has no leader.
 * Worded as etcdctl words it, one numbered error per endpoint tried.
 */
final class ClusterUnavailable extends Exception {
    private final List<String> errors;
    private final boolean connectionOnly;

    /**
     * @param connectionOnly true when every endpoint failed to connect or to answer in time (as
     *                       opposed to answering with a server error); decides the exit code of a sync
     */
    ClusterUnavailable(List<String> errors, boolean connectionOnly) {
        super(summary(errors), null, false, false);
        this.errors = List.copyOf(errors);
        this.connectionOnly = connectionOnly;
    }

    boolean connectionOnly() {
        return connectionOnly;
    }

    /** The lines printed after the summary, one per endpoint. */
    String detail() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < errors.size(); i++) {
            text.append("error #").append(i).append(": ").append(errors.get(i)).append('\n');
        }
        return text.toString();
    }

    private static String summary(List<String> errors) {
        StringBuilder text = new StringBuilder("client: etcd cluster is unavailable or misconfigured");
        for (int i = 0; i < errors.size(); i++) {
            text.append("; error #").append(i).append(": ").append(errors.get(i)).append('\n');
        }
        return text.toString();
    }
}
