/**
 * The Raft consensus core: a deterministic state machine with no threads, clocks, I/O or
 * randomness of its own (the random source for election timeouts is passed in).
 *
 * <p>One thread drives a {@link io.etcdj.raft.RaftNode}:
 * <pre>{@code
 * RaftNode node = RaftNode.create(config, restoredState);   // or RaftNode.bootstrap(...) once
 * loop:
 *   node.tick();                 // every tick interval
 *   node.step(message);          // for each message from a peer; a StepOutcome.Dropped says why it was dropped
 *   node.propose(command);       // client commands; NotLeader names the leader to redirect to
 *   node.readIndex(requestId);   // linearizable reads
 *   if (node.hasReady()) {
 *     Ready rd = node.ready();
 *     // persist rd.snapshot(), rd.hardState(), rd.entries(); fsync if rd.mustSync()
 *     // send rd.messages(); apply rd.committedEntries(); answer rd.readStates()
 *     node.advance(rd);
 *   }
 * }</pre>
 *
 * <p>Design choices, after etcd-io/raft:
 * <ul>
 *   <li>Membership changes are single-member {@link io.etcdj.raft.ConfChange} log entries that
 *       take effect on each member when applied (in {@code advance}); one may be pending at a
 *       time, and a new leader accepts one only after applying its own no-op.</li>
 *   <li>A leader counts its own log toward a quorum only for entries it has persisted, i.e.
 *       after the Ready that carried them is advanced.</li>
 *   <li>Reads use ReadIndex: a leader confirms it still leads with a heartbeat round after the
 *       request; followers do not forward read requests but answer NotLeader.</li>
 *   <li>Pre-vote and CheckQuorum are on by default: a leader that has not heard from a quorum for
 *       an election timeout steps down, and members that hear from a leader ignore votes.</li>
 *   <li>Snapshots: the server snapshots its applied state and calls {@code compact}; the leader
 *       sends that snapshot to followers that need compacted entries.</li>
 * </ul>
 *
 * <p>Internals, package-private: {@code Raft} (state and role transitions), {@code Election},
 * {@code Replication} (leader side), {@code Follower}, {@code RaftLog}, {@code ProgressTracker},
 * {@code Progress}, {@code Inflights}, {@code ReadIndexQueue}.
 */
package io.etcdj.raft;
