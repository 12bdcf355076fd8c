package io.etcdj.store;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;

/**
 * Success and failure counters of store operations. Atomic, because reads count too and run
 * concurrently under the shared lock.
 */
final class StoreStats {
    /** The counters, in the order {@code /v2/stats/store} lists them. */
    enum Counter {
        GETS_SUCCESS("getsSuccess"), GETS_FAIL("getsFail"),
        SETS_SUCCESS("setsSuccess"), SETS_FAIL("setsFail"),
        DELETE_SUCCESS("deleteSuccess"), DELETE_FAIL("deleteFail"),
        UPDATE_SUCCESS("updateSuccess"), UPDATE_FAIL("updateFail"),
        CREATE_SUCCESS("createSuccess"), CREATE_FAIL("createFail"),
        COMPARE_AND_SWAP_SUCCESS("compareAndSwapSuccess"), COMPARE_AND_SWAP_FAIL("compareAndSwapFail"),
        EXPIRE_COUNT("expireCount");

        final String jsonName;

        Counter(String jsonName) {
            this.jsonName = jsonName;
        }
    }

    /** Every counter's name. */
    static final Set<String> NAMES = Arrays.stream(Counter.values()).map(c -> c.jsonName)
            .collect(Collectors.toUnmodifiableSet());

    private final AtomicLongArray counts = new AtomicLongArray(Counter.values().length);

    void inc(Counter counter) {
        counts.incrementAndGet(counter.ordinal());
    }

    long get(Counter counter) {
        return counts.get(counter.ordinal());
    }

    /** Writes, successful or not, except creates: the reference's TotalTransactions. */
    long totalTransactions() {
        return get(Counter.SETS_SUCCESS) + get(Counter.SETS_FAIL)
                + get(Counter.DELETE_SUCCESS) + get(Counter.DELETE_FAIL)
                + get(Counter.COMPARE_AND_SWAP_SUCCESS) + get(Counter.COMPARE_AND_SWAP_FAIL)
                + get(Counter.UPDATE_SUCCESS) + get(Counter.UPDATE_FAIL);
    }

    String toJson(long watchers) {
        StringBuilder out = new StringBuilder(320).append('{');
        for (Counter counter : Counter.values()) {
            out.append('"').append(counter.jsonName).append("\":").append(get(counter)).append(',');
        }
        return out.append("\"watchers\":").append(watchers).append('}').toString();
    }

    Map<String, Long> toMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        for (Counter counter : Counter.values()) {
            map.put(counter.jsonName, get(counter));
        }
        return map;
    }

    void restore(Map<String, Long> saved) {
        for (Counter counter : Counter.values()) {
            Long value = saved == null ? null : saved.get(counter.jsonName);
            counts.set(counter.ordinal(), value == null ? 0 : value);
        }
    }
}
