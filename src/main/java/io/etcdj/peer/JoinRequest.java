package io.etcdj.peer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 */
@JsonPropertyOrder({"minVersion", "maxVersion", "name", "raftURL", "etcdURL", "joinID"})
public record JoinRequest(@JsonProperty("minVersion") int minVersion,
                          @JsonProperty("maxVersion") int maxVersion,
                          @JsonProperty("name") String name,
                          @JsonProperty("raftURL") String raftUrl,
                          @JsonProperty("etcdURL") String etcdUrl,
                          @JsonProperty("joinID") String joinId) {
    /** The store versions this implementation runs (the reference has exactly one, 2). */
    public static final int MIN_VERSION = 2;
    public static final int MAX_VERSION = 2;

    // Like the reference's decoder: field names match in any case, unknown fields are ignored.
    private static final ObjectMapper JSON = JsonMapper.builder(PeerInput.jsonFactory())
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

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
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the JSON of a join request. */
    public static JoinRequest fromJson(byte[] json) throws IOException {
        JoinRequest r = JSON.readValue(json, JoinRequest.class);
        if (r == null) {
            throw new IOException("a join request must be a JSON object");
        }
        return r;
    }
}
