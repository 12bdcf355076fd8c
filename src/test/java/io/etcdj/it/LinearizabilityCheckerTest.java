package io.etcdj.it;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.etcdj.it.LinearizabilityChecker.Verdict.LINEARIZABLE;
import static io.etcdj.it.LinearizabilityChecker.Verdict.NOT_LINEARIZABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LinearizabilityCheckerTest {
    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private LinearizabilityChecker.Verdict verdict(RegisterOp... ops) {
        return checker.check(List.of(ops)).verdict();
    }

    @Test
    void anEmptyHistoryAndAReadOfTheAbsentKeyAreLinearizable() {
        assertEquals(LINEARIZABLE, verdict());
        assertEquals(LINEARIZABLE, verdict(RegisterOp.read(0, null, 0, 1)));
    }

    @Test
    void aReadAfterAWriteCompletedMustSeeIt() {
        assertEquals(LINEARIZABLE, verdict(RegisterOp.write(0, "a", 0, 1), RegisterOp.read(1, "a", 2, 3)));
        assertEquals(NOT_LINEARIZABLE, verdict(RegisterOp.write(0, "a", 0, 1), RegisterOp.read(1, null, 2, 3)));
    }

    @Test
    void aReadOverlappingAWriteMaySeeEitherValue() {
        assertEquals(LINEARIZABLE, verdict(RegisterOp.write(0, "a", 0, 10), RegisterOp.read(1, null, 2, 3)));
        assertEquals(LINEARIZABLE, verdict(RegisterOp.write(0, "a", 0, 10), RegisterOp.read(1, "a", 2, 3)));
    }

    @Test
    void aStaleReadAfterAnotherClientSawTheNewValueIsCaught() {
        // w(a) done; w(b) in flight for long; one reader sees b, a later reader sees a again
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.write(0, "a", 0, 1),
                RegisterOp.write(1, "b", 2, 100),
                RegisterOp.read(2, "b", 3, 4),
                RegisterOp.read(3, "a", 5, 6)));
    }

    @Test
    void compareAndSwapSucceedsOnlyOnTheExpectedValueAndFailsOnlyOnAnother() {
        assertEquals(LINEARIZABLE, verdict(
                RegisterOp.write(0, "a", 0, 1),
                RegisterOp.cas(0, "a", "b", true, 2, 3),
                RegisterOp.cas(1, "a", "c", false, 4, 5),
                RegisterOp.read(1, "b", 6, 7)));
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.write(0, "a", 0, 1),
                RegisterOp.cas(0, "x", "b", true, 2, 3)));
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.write(0, "a", 0, 1),
                RegisterOp.cas(0, "a", "b", false, 2, 3)));
    }

    @Test
    void twoSwapsFromTheSameValueCannotBothSucceed() {
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.write(0, "a", 0, 1),
                RegisterOp.cas(1, "a", "b", true, 2, 5),
                RegisterOp.cas(2, "a", "c", true, 2, 5)));
    }

    @Test
    void anOperationOfUnknownOutcomeMayTakeEffectLateOrNever() {
        // the timed-out write shows up long after its client gave up
        assertEquals(LINEARIZABLE, verdict(
                RegisterOp.unknown(0, RegisterOp.Kind.WRITE, null, "a", 0),
                RegisterOp.read(1, null, 10, 11),
                RegisterOp.read(1, "a", 20, 21)));
        // or never
        assertEquals(LINEARIZABLE, verdict(
                RegisterOp.unknown(0, RegisterOp.Kind.WRITE, null, "a", 0),
                RegisterOp.read(1, null, 10, 11)));
        // but not before it was sent
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.read(1, "a", 0, 1),
                RegisterOp.unknown(0, RegisterOp.Kind.WRITE, null, "a", 5)));
        // and, once overwritten and seen overwritten, it cannot come back after a value it did not precede
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.unknown(0, RegisterOp.Kind.WRITE, null, "a", 0),
                RegisterOp.read(1, "a", 10, 11),
                RegisterOp.write(1, "b", 12, 13),
                RegisterOp.read(1, "a", 14, 15)));
    }

    @Test
    void aSwapOfUnknownOutcomeTakesEffectOnlyFromItsExpectedValue() {
        assertEquals(LINEARIZABLE, verdict(
                RegisterOp.write(0, "a", 0, 1),
                RegisterOp.unknown(0, RegisterOp.Kind.CAS, "a", "b", 2),
                RegisterOp.read(1, "b", 10, 11)));
        assertEquals(NOT_LINEARIZABLE, verdict(
                RegisterOp.write(0, "x", 0, 1),
                RegisterOp.unknown(0, RegisterOp.Kind.CAS, "a", "b", 2),
                RegisterOp.read(1, "b", 10, 11)));
    }

    @Test
    void aLongSequentialHistoryWithManyUnknownWritesIsCheckedQuickly() {
        // a register driven by one true sequence, observed by overlapping clients, with lost acks
        Random random = new Random(7);
        List<RegisterOp> history = new ArrayList<>();
        String value = null;
        long t = 0;
        for (int i = 0; i < 400; i++) {
            int process = i % 5;
            long start = t;
            t += 1 + random.nextInt(3);
            switch (random.nextInt(10)) {
                case 0, 7, 8 -> history.add(RegisterOp.read(process, value, start, t));
                case 1, 2, 3 -> {
                    value = "v" + i;
                    history.add(RegisterOp.write(process, value, start, t));
                }
                case 4, 5, 6 -> {
                    boolean swap = random.nextBoolean();
                    String expected = swap ? value : "nope";
                    if (swap) {
                        value = "v" + i;
                    }
                    history.add(RegisterOp.cas(process, expected, "v" + i, swap, start, t));
                }
                default -> history.add(RegisterOp.unknown(process, RegisterOp.Kind.WRITE, null, "lost" + i, start));
            }
        }
        LinearizabilityChecker.Result result = checker.check(history);
        assertEquals(LINEARIZABLE, result.verdict(), result.toString());
        // and one stale read at the end breaks it
        history.add(RegisterOp.read(9, "v0-never-written", t + 1, t + 2));
        assertEquals(NOT_LINEARIZABLE, checker.check(history).verdict());
    }
}
