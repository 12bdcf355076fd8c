package io.etcdj;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Sets up logging in code: one line per event on standard error, {@code io.netty} at WARN, the
 * rest at {@code ETCDJ_LOG_LEVEL} (INFO unless set). Logback finds it through
 * {@code META-INF/services} before it would look for an XML file; building the same setup from
 * XML loads an XML parser and a few hundred configuration classes, a large part of an empty
 * node's start-up. A {@code logback.configurationFile} property or a {@code logback-test.xml} on
 * the class path (the tests have one) still wins: then this steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ConsoleLogging extends ContextAwareBase implements Configurator {
    /** The line layout; {@code node} is the machine's name, set once the configuration is read. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%property{node}] %msg%n";

    private final boolean otherConfiguration;

    /** As Logback makes it: steps aside when a configuration file is given or on the class path. */
    public ConsoleLogging() {
        this(System.getProperty("logback.configurationFile") != null
                || ConsoleLogging.class.getClassLoader().getResource("logback-test.xml") != null);
    }

    ConsoleLogging(boolean otherConfiguration) {
        this.otherConfiguration = otherConfiguration;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (otherConfiguration) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        context.getLogger("io.netty").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(System.getenv("ETCDJ_LOG_LEVEL")));
        root.addAppender(appender);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The root level {@code ETCDJ_LOG_LEVEL} names; INFO when unset or not a level's name. */
    static Level rootLevel(String setting) {
        return setting == null || setting.isBlank() ? Level.INFO : Level.toLevel(setting.trim(), Level.INFO);
    }
}
