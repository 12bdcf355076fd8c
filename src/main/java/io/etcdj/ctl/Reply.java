package io.etcdj.ctl;

import java.net.URI;

/**
 * One HTTP answer, after redirects.
 *
 * @param from       the endpoint that answered (after following any 307)
 * @param etcdIndex  the {@code X-Etcd-Index} header, 0 if absent
 */
record Reply(URI from, int status, long etcdIndex, String body) {
}
