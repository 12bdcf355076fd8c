package io.etcdj.it;

/**
 * One operation on a single register (one key), as a client saw it: when it was invoked, when its
 * answer came (if it came), and what the answer said. Values are strings; {@code null} stands for
 * an absent key.
 *
 * <p>An operation whose outcome is unknown (a timeout, a broken connection, a deadline error on a
 * write) has no completion: it may have taken effect at any moment after its invocation, or never.
 * A read with an unknown outcome says nothing and is left out of a history.
 *
 * @param process  the client that issued it (its operations never overlap)
 * @param kind     read, write or compare-and-swap
 * @param value    read: the value seen; write and cas: the value written
 * @param expected cas only: the value the key must hold
 * @param outcome  how it ended
 * @param invoked  nanoTime when it was sent
 * @param completed nanoTime when its answer came; {@link Long#MAX_VALUE} when unknown
 */
record RegisterOp(int process, Kind kind, String value, String expected, Outcome outcome, long invoked,
                  long completed) {

    enum Kind { READ, WRITE, CAS }

    /**
     * {@code OK}: it took effect (a cas: it swapped). {@code CAS_FAILED}: a cas that found another
     * value and changed nothing. {@code UNKNOWN}: it may or may not have taken effect.
     */
    enum Outcome { OK, CAS_FAILED, UNKNOWN }

    RegisterOp {
        if (outcome == Outcome.UNKNOWN && completed != Long.MAX_VALUE) {
            throw new IllegalArgumentException("an operation of unknown outcome has no completion");
        }
        if (outcome == Outcome.CAS_FAILED && kind != Kind.CAS) {
            throw new IllegalArgumentException("only a cas can fail its comparison");
        }
        if (outcome == Outcome.UNKNOWN && kind == Kind.READ) {
            throw new IllegalArgumentException("a read of unknown outcome tells nothing; leave it out");
        }
    }

    static RegisterOp read(int process, String seen, long invoked, long completed) {
        return new RegisterOp(process, Kind.READ, seen, null, Outcome.OK, invoked, completed);
    }

    static RegisterOp write(int process, String value, long invoked, long completed) {
        return new RegisterOp(process, Kind.WRITE, value, null, Outcome.OK, invoked, completed);
    }

    static RegisterOp cas(int process, String expected, String value, boolean swapped, long invoked, long completed) {
        return new RegisterOp(process, Kind.CAS, value, expected, swapped ? Outcome.OK : Outcome.CAS_FAILED,
                invoked, completed);
    }

    static RegisterOp unknown(int process, Kind kind, String expected, String value, long invoked) {
        return new RegisterOp(process, kind, value, expected, Outcome.UNKNOWN, invoked, Long.MAX_VALUE);
    }

    boolean known() {
        return outcome != Outcome.UNKNOWN;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case READ -> "read " + value;
            case WRITE -> "write " + value;
            case CAS -> "cas " + expected + "->" + value;
        };
        return "p" + process + " " + what + " " + outcome + " [" + invoked + ", "
                + (completed == Long.MAX_VALUE ? "?" : completed) + "]";
    }
}
