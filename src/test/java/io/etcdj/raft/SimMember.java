package io.etcdj.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One simulated machine: its disk survives crashes; its node and state machine do not. The state
 * machine records the client commands it applied, with their log positions, to check that each is
 * applied exactly once and in the same place everywhere.
 */
final class SimMember {
    record Applied(long index, long term, long command) {}

    final String name;
    final Disk disk = new Disk();
    /** Its files over a power-cut file system, in a power-loss simulation; null otherwise. */
    FileDisk files;
    RaftNode node;
    /** Applied commands in order; rebuilt from the snapshot on restart. */
    List<Applied> commands = new ArrayList<>();
    Set<Long> commandIds = new HashSet<>();
    long appliedIndex;
    boolean removed;
    /** The node's hard state and applied index after its last Ready, for the monotonicity checks. */
    HardState seen = HardState.EMPTY;
    long seenApplied;

    SimMember(String name) {
        this.name = name;
    }

    boolean up() {
        return node != null;
    }

    void crash() {
        node = null;
        commands = new ArrayList<>();
        commandIds = new HashSet<>();
        appliedIndex = 0;
    }

    byte[] snapshotData() {
        ByteBuffer buf = ByteBuffer.allocate(8 + commands.size() * 24);
        buf.putInt(commands.size()).putInt(0);
        for (Applied a : commands) {
            buf.putLong(a.index).putLong(a.term).putLong(a.command);
        }
        return buf.array();
    }

    /** Replaces the state machine with a snapshot's (on restart or InstallSnapshot). */
    void restore(Snapshot s) {
        commands = new ArrayList<>();
        commandIds = new HashSet<>();
        ByteBuffer buf = ByteBuffer.wrap(s.data());
        int n = buf.getInt();
        buf.getInt();
        for (int i = 0; i < n; i++) {
            Applied a = new Applied(buf.getLong(), buf.getLong(), buf.getLong());
            commands.add(a);
            commandIds.add(a.command);
        }
        appliedIndex = s.index();
    }

    static byte[] command(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    static long commandId(Entry e) {
        return ByteBuffer.wrap(e.data()).getLong();
    }
}
