package io.etcdj.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the store counters back from {@link Store#statsJson()}. */
final class StatsJson {
    private StatsJson() {
    }

    static Map<String, Long> of(Store store) {
        try {
            return new ObjectMapper().readValue(store.statsJson(), new TypeReference<Map<String, Long>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
