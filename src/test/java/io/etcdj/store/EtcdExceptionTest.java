package io.etcdj.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EtcdExceptionTest {
    @Test
    void statusFollowsTheReferenceMapping() {
        assertEquals(404, new EtcdException(100, "/k", 1).httpStatus());
        assertEquals(412, new EtcdException(101, "", 1).httpStatus());
        assertEquals(403, new EtcdException(102, "/d", 1).httpStatus());
        assertEquals(400, new EtcdException(104, "/f", 1).httpStatus());
        assertEquals(412, new EtcdException(105, "/c", 1).httpStatus());
        assertEquals(400, new EtcdException(107, "/", 1).httpStatus());
        assertEquals(403, new EtcdException(108, "/d", 1).httpStatus());
        assertEquals(400, new EtcdException(202, "Update", 1).httpStatus());
        assertEquals(500, new EtcdException(300, "", 1).httpStatus());
        assertEquals(500, new EtcdException(301, "", 1).httpStatus());
        assertEquals(400, new EtcdException(401, "", 1).httpStatus());
        assertEquals(400, new EtcdException(500, "/k", 1).httpStatus());
    }

    @Test
    void jsonCarriesMessageCauseAndIndex() {
        EtcdException e = new EtcdException(EtcdException.TEST_FAILED, "[zz != v] [0 != 2]", 2);

        assertEquals("{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[zz != v] [0 != 2]\",\"index\":2}",
                e.toJson());
        assertEquals("Compare failed", e.message());
    }

    @Test
    void emptyOrMissingCauseIsLeftOut() {
        assertEquals("{\"errorCode\":301,\"message\":\"During Leader Election\",\"index\":7}",
                new EtcdException(EtcdException.LEADER_ELECT, "", 7).toJson());
        assertEquals("{\"errorCode\":300,\"message\":\"Raft Internal Error\",\"index\":0}",
                new EtcdException(EtcdException.RAFT_INTERNAL, null, 0).toJson());
    }

    @Test
    void unknownCodeHasAnEmptyMessage() {
        assertEquals("{\"errorCode\":500,\"message\":\"\",\"cause\":\"/k\",\"index\":3}",
                new EtcdException(500, "/k", 3).toJson());
    }

    @Test
    void causeIsEscapedLikeGo() {
        assertEquals("{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001\",\"index\":1}",
                new EtcdException(100, "/a\"b\\c\n<&>\u0001", 1).toJson());
    }

    @Test
    void everyReferenceMessageIsThere() {
        assertEquals("Key not found", EtcdException.messageFor(100));
        assertEquals("Not a file", EtcdException.messageFor(102));
        assertEquals("Reached the max number of peers in the cluster", EtcdException.messageFor(103));
        assertEquals("Not a directory", EtcdException.messageFor(104));
        assertEquals("Key already exists", EtcdException.messageFor(105));
        assertEquals("The prefix of given key is a keyword in etcd", EtcdException.messageFor(106));
        assertEquals("Root is read only", EtcdException.messageFor(107));
        assertEquals("Directory not empty", EtcdException.messageFor(108));
        assertEquals("Value is Required in POST form", EtcdException.messageFor(200));
        assertEquals("PrevValue is Required in POST form", EtcdException.messageFor(201));
        assertEquals("The given TTL in POST form is not a number", EtcdException.messageFor(202));
        assertEquals("The given index in POST form is not a number", EtcdException.messageFor(203));
        assertEquals("Value or TTL is required in POST form", EtcdException.messageFor(204));
        assertEquals("watcher is cleared due to etcd recovery", EtcdException.messageFor(400));
        assertEquals("The event in requested index is outdated and cleared", EtcdException.messageFor(401));
    }
}
