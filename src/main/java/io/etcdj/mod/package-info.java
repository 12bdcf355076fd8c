/**
 * The {@code /mod} modules of etcd v0.2: the lock ({@code /mod/v2/lock/<key>}) and leader election
 * ({@code /mod/v2/leader/<key>}).
 *
 * <p>The reference ran them as HTTP clients of its own keys API. Here they work in-process: reads go
 * to the local store, writes are proposed through the log exactly like the keys API's writes, and a
 * request waiting for its turn is a continuation on store watches, holding no thread. A follower
 * redirects every write to the leader as the keys API does. The answers (plain text, status codes,
 * error texts) are the reference's; {@code docs/api.md} lists where they deliberately differ.
 */
package io.etcdj.mod;
