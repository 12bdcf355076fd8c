package io.etcdj.config;

/**
 * A configuration problem the operator must fix. The message is one line, ready for stderr,
 * and already names the flag, variable or file at fault.
 */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
