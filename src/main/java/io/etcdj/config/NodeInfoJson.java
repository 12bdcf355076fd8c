package io.etcdj.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The {@code info} file's JSON, read and written with Jackson's streaming API. Every start reads
 * or writes this file before it serves; data binding would first introspect the records by
 * reflection, which took about a quarter of an empty node's start-up.
 */
final class NodeInfoJson {
    private static final JsonFactory JSON = new JsonFactory();

    private NodeInfoJson() {}

    /** The identity in {@code bytes}: fields matched by exact name, unknown ones skipped, missing ones null. */
    static NodeInfo read(byte[] bytes) throws IOException {
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadInfo("not a JSON object");
            }
            String name = null;
            String peerUrl = null;
            String clientUrl = null;
            String peerBind = null;
            String clientBind = null;
            TlsFiles peerTls = null;
            TlsFiles clientTls = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "name" -> name = text(p, field);
                    case "raftURL" -> peerUrl = text(p, field);
                    case "etcdURL" -> clientUrl = text(p, field);
                    case "raftListenHost" -> peerBind = text(p, field);
                    case "etcdListenHost" -> clientBind = text(p, field);
                    case "raftTLS" -> peerTls = tls(p, field);
                    case "etcdTLS" -> clientTls = tls(p, field);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new BadInfo("unexpected content after the object");
            }
            return new NodeInfo(name, peerUrl, clientUrl, peerBind, clientBind, peerTls, clientTls);
        }
    }

    static byte[] write(NodeInfo info) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("name", info.name());
            g.writeStringField("raftURL", info.peerUrl());
            g.writeStringField("etcdURL", info.clientUrl());
            g.writeStringField("raftListenHost", info.peerBindAddr());
            g.writeStringField("etcdListenHost", info.clientBindAddr());
            writeTls(g, "raftTLS", info.peerTls());
            writeTls(g, "etcdTLS", info.clientTls());
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** A file that is JSON but not an identity. */
    static final class BadInfo extends IOException {
        BadInfo(String message) {
            super(message);
        }
    }

    private static String text(JsonParser p, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new BadInfo("\"" + field + "\" is not a string");
        }
        return p.getText();
    }

    private static TlsFiles tls(JsonParser p, String field) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new BadInfo("\"" + field + "\" is not an object");
        }
        String ca = null;
        String cert = null;
        String key = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "CAFile" -> ca = text(p, name);
                case "CertFile" -> cert = text(p, name);
                case "KeyFile" -> key = text(p, name);
                default -> p.skipChildren();
            }
        }
        return new TlsFiles(ca, cert, key);
    }

    private static void writeTls(JsonGenerator g, String field, TlsFiles tls) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("CAFile", tls.caFile());
        g.writeStringField("CertFile", tls.certFile());
        g.writeStringField("KeyFile", tls.keyFile());
        g.writeEndObject();
    }
}
