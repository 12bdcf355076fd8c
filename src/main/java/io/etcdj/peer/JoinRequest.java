package io.etcdj.peer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.UUID;

/**
 * A machine's request to join the cluster, in the JSON the reference's join command uses:
 * {@code {"minVersion":2,"maxVersion":2,"name":..,"raftURL":..,"etcdURL":..}}.
 *
 * @param minVersion oldest store version the machine can run
 * @param maxVersion newest store version the machine can run
 * @param name       the machine's name
 * @param raftUrl    its peer URL
 * @param etcdUrl    its client URL
 * @param joinId     an extension: a random id the joining process gives its join, the same on every
 *                   retry, so that a retry after a lost answer finds the join that went through;
 *                   empty when not given
 *
 * <p>Read and written with Jackson's streaming API: a joiner builds one at its start, and data
 * binding's object mapper would cost it (and the leader, at its first join) a few hundred classes.
 */
public record JoinRequest(int minVersion, int maxVersion, String name, String raftUrl, String etcdUrl,
                          String joinId) {
    /** The store versions this implementation runs (the reference has exactly one, 2). */
    public static final int MIN_VERSION = 2;
    public static final int MAX_VERSION = 2;

    private static final JsonFactory JSON = PeerInput.jsonFactory();

    public JoinRequest {
        name = name == null ? "" : name;
        raftUrl = raftUrl == null ? "" : raftUrl;
        etcdUrl = etcdUrl == null ? "" : etcdUrl;
        joinId = joinId == null ? "" : joinId;
    }

    /** A request for this implementation's versions, with a new random join id. */
    public static JoinRequest of(String name, String raftUrl, String etcdUrl) {
        return new JoinRequest(MIN_VERSION, MAX_VERSION, name, raftUrl, etcdUrl, UUID.randomUUID().toString());
    }

    /**
     * Why the cluster cannot take this request as written, or {@code null}: a machine name and
     * URLs that {@link PeerInput} accepts.
     */
    public String problem() {
        String p = PeerInput.nameProblem(name);
        if (p != null) {
            return p;
        }
        p = PeerInput.urlProblem(raftUrl);
        if (p != null) {
            return "raftURL: " + p;
        }
        p = PeerInput.urlProblem(etcdUrl);
        if (p != null) {
            return "etcdURL: " + p;
        }
        return joinId.length() <= 64 && joinId.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? null
                : "joinID: at most 64 printable ASCII characters";
    }

    /** Whether a cluster running {@code version} can take this machine. */
    public boolean supports(int version) {
        return version >= minVersion && version <= maxVersion;
    }

    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("minVersion", minVersion);
            g.writeNumberField("maxVersion", maxVersion);
            g.writeStringField("name", name);
            g.writeStringField("raftURL", raftUrl);
            g.writeStringField("etcdURL", etcdUrl);
            g.writeStringField("joinID", joinId);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Reads the JSON of a join request like the reference's decoder: field names match in any
     * case, unknown fields are skipped, a missing field is zero or empty. As Jackson's data binding
     * did before, a version may be written as a string or a whole float, a text field as any scalar,
     * and the last of two fields of one name wins.
     */
    public static JoinRequest fromJson(byte[] json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a join request must be a JSON object");
            }
            int minVersion = 0;
            int maxVersion = 0;
            String name = null;
            String raftUrl = null;
            String etcdUrl = null;
            String joinId = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName().toLowerCase(Locale.ROOT);
                JsonToken value = p.nextToken();
                switch (field) {
                    case "minversion" -> minVersion = version(p, value);
                    case "maxversion" -> maxVersion = version(p, value);
                    case "name" -> name = text(p, value);
                    case "rafturl" -> raftUrl = text(p, value);
                    case "etcdurl" -> etcdUrl = text(p, value);
                    case "joinid" -> joinId = text(p, value);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new JsonParseException(p, "unexpected end of a join request");
            }
            return new JoinRequest(minVersion, maxVersion, name, raftUrl, etcdUrl, joinId);
        }
    }

    private static int version(JsonParser p, JsonToken value) throws IOException {
        switch (value) {
            case VALUE_NUMBER_INT:
                return p.getIntValue();
            case VALUE_NUMBER_FLOAT:
                double d = p.getDoubleValue();
                if (d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
                    return (int) d;
                }
                break;
            case VALUE_NULL:
                return 0;
            case VALUE_STRING:
                try {
                    return Integer.parseInt(p.getText().trim());
                } catch (NumberFormatException e) {
                    break;
                }
            default:
                break;
        }
        throw new JsonParseException(p, "a version must be an integer");
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getText();
        }
        throw new JsonParseException(p, "a name or URL must be a string");
    }
}
