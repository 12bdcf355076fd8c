package io.etcdj.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Join commands carry their join id, and joins in logs written before join ids still read back. */
class CommandCodecTest {

    @Test
    void aJoinKeepsItsJoinId() {
        Command.Join join = new Command.Join("m1", "http://127.0.0.1:7002", "http://127.0.0.1:4002", "id-1");
        CommandCodec.Proposal back = CommandCodec.decode(CommandCodec.encode(42, join));
        assertEquals(42, back.requestId());
        assertEquals(join, back.command());
    }

    @Test
    void aJoinWithoutIdIsWrittenAsBeforeJoinIds() throws Exception {
        Command.Join join = new Command.Join("m1", "http://a:7001", "http://a:4001", "");
        byte[] old = oldJoin("m1", "http://a:7001", "http://a:4001");
        assertEquals(java.util.Arrays.toString(old), java.util.Arrays.toString(CommandCodec.encode(0, join)));
        assertEquals(join, CommandCodec.decode(old).command());
    }

    /** A join as logs held it before join ids: kind 7 and three strings. */
    private static byte[] oldJoin(String... fields) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CommandCodec.VERSION);
            out.writeLong(0);
            out.writeByte(7);
            for (String f : fields) {
                byte[] b = f.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        return bytes.toByteArray();
    }
}
