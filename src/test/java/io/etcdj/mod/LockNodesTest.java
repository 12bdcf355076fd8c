package io.etcdj.mod;

import io.etcdj.store.Store;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LockNodesTest {

    @Test
    void waitersQueueInIndexOrderNotInNameOrder() {
        Store store = new Store(Clock.systemUTC());
        store.set("/_etcd/mod/lock/res/9", false, "nine", null);
        store.set("/_etcd/mod/lock/res/10", false, "ten", null);
        store.set("/_etcd/mod/lock/res/100", false, "hundred", null);

        LockNodes queue = LockNodes.read(store, LockNodes.lockPath("res"));

        assertEquals("nine", queue.first().value());
        assertEquals(1, queue.positionOf("ten"));
        assertEquals(-1, queue.positionOf("eleven"));
        assertNull(queue.ahead(9));
        assertEquals("9", queue.ahead(10).name());
        assertEquals("10", queue.ahead(100).name());
    }

    @Test
    void theDirectoryOfANestedLockIsNoWaiter() {
        Store store = new Store(Clock.systemUTC());
        store.set("/_etcd/mod/lock/a/5", false, "five", null);
        store.set("/_etcd/mod/lock/a/b/6", false, "six", null);

        LockNodes queue = LockNodes.read(store, LockNodes.lockPath("a"));

        // the reference's lookup ranks a name that is no number first; the queue skips it
        assertEquals("b", queue.first().name());
        assertNull(queue.ahead(5));
    }

    @Test
    void anIndexMustNameAChildOfTheLock() {
        assertEquals("/_etcd/mod/lock/res/7", LockModule.nodeKey("/_etcd/mod/lock/res", "7"));
        assertEquals("/_etcd/mod/lock/res/7", LockModule.nodeKey("/_etcd/mod/lock/res", "./7"));
        assertNull(LockModule.nodeKey("/_etcd/mod/lock/res", "../../../../x"));
        assertNull(LockModule.nodeKey("/_etcd/mod/lock/res", "."));
        assertNull(LockModule.nodeKey("/_etcd/mod/lock/res", "sub/7"));
    }

    @Test
    void aBadNumberIsReportedAsTheReferenceReportedIt() {
        assertEquals("strconv.ParseInt: parsing \"x\\n\": invalid syntax", GoNumbers.atoiError("x\n"));
        assertEquals("strconv.ParseInt: parsing \"\": invalid syntax", GoNumbers.atoiError(""));
        assertEquals("strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
                GoNumbers.atoiError("99999999999999999999"));
    }
}
