package io.etcdj.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code info} file: the reference's keys, written the same way and read back leniently. */
class NodeInfoJsonTest {
    private static final String WRITTEN = "{\"name\":\"n0\",\"raftURL\":\"http://127.0.0.1:7001\","
            + "\"etcdURL\":\"http://127.0.0.1:4001\",\"raftListenHost\":\"127.0.0.1:7001\","
            + "\"etcdListenHost\":\":4001\",\"raftTLS\":{\"CAFile\":\"\",\"CertFile\":\"\",\"KeyFile\":\"\"},"
            + "\"etcdTLS\":{\"CAFile\":\"ca.pem\",\"CertFile\":\"c.pem\",\"KeyFile\":\"k.pem\"}}";

    private static final NodeInfo INFO = new NodeInfo("n0", "http://127.0.0.1:7001", "http://127.0.0.1:4001",
            "127.0.0.1:7001", ":4001", TlsFiles.NONE, new TlsFiles("ca.pem", "c.pem", "k.pem"));

    @Test
    void writesTheReferencesKeysInOrderAndReadsThemBack() throws Exception {
        assertEquals(WRITTEN, new String(NodeInfoJson.write(INFO), StandardCharsets.UTF_8));
        assertEquals(INFO, NodeInfoJson.read(WRITTEN.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unknownFieldsAreSkippedAndMissingOnesAreEmpty() throws Exception {
        String v02 = "{\"name\":\"n0\",\"raftURL\":\"http://127.0.0.1:7001\",\"etcdURL\":\"http://127.0.0.1:4001\","
                + "\"raftListenHost\":\"127.0.0.1:7001\",\"etcdListenHost\":\"127.0.0.1:4001\","
                + "\"extra\":{\"nested\":[1,2,{\"x\":null}]},\"etcdTLS\":{\"CertFile\":\"c\",\"Other\":1}}";
        NodeInfo read = NodeInfoJson.read(v02.getBytes(StandardCharsets.UTF_8));
        assertEquals("127.0.0.1:4001", read.clientBindAddr());
        assertEquals(TlsFiles.NONE, read.peerTls());
        assertEquals(new TlsFiles("", "c", ""), read.clientTls());
    }

    @Test
    void aFileThatIsNotAnIdentityIsRefused() {
        for (String bad : new String[] {"[]", "null", "{\"name\":5}", "{\"raftTLS\":\"x\"}", "{} {}"}) {
            assertThrows(java.io.IOException.class, () -> NodeInfoJson.read(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }
}
