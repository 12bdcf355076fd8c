package io.etcdj.config;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The {@code ETCD_*} environment variables, named as in the reference. Blank ones are ignored. */
final class Environment {
    private Environment() {}

    static Map<Setting, Object> read(Map<String, String> env) throws ConfigException {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            if (setting.envVar == null) {
                continue;
            }
            String text = env.get(setting.envVar);
            if (text == null || text.isBlank()) {
                continue;
            }
            Object value = setting.parse(text.trim(), setting.envVar, false);
            if (!(value instanceof List<?> list && list.isEmpty())) {
                values.put(setting, value);
            }
        }
        return values;
    }
}
