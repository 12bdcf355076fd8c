package io.etcdj;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleLoggingTest {
    @Test
    void writesOneLinePerEventToStandardErrorWithTheNodeName() {
        LoggerContext context = new LoggerContext();
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, new ConsoleLogging(false).configure(context));
        context.putProperty("node", "node0");
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> appender = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
        assertEquals("System.err", appender.getTarget());
        assertTrue(appender.isStarted());

        ch.qos.logback.classic.Logger logger = context.getLogger("io.etcdj.Main");
        LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "became the leader in term {}", null,
                new Object[] {2});
        String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) "
                + "INFO  \\[node0\\] became the leader in term 2\\R"), line);
    }

    @Test
    void nettyLogsOnlyWarningsAndTheRestFollowsTheLevelSetting() {
        LoggerContext context = new LoggerContext();
        new ConsoleLogging(false).configure(context);
        assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
        assertEquals(Level.INFO, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.INFO, ConsoleLogging.rootLevel(null));
        assertEquals(Level.INFO, ConsoleLogging.rootLevel(" "));
        assertEquals(Level.DEBUG, ConsoleLogging.rootLevel("debug"));
        assertEquals(Level.WARN, ConsoleLogging.rootLevel("WARN"));
        assertEquals(Level.INFO, ConsoleLogging.rootLevel("loud"));
    }

    @Test
    void stepsAsideForAConfigurationFile() {
        LoggerContext context = new LoggerContext();
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, new ConsoleLogging(true).configure(context));
        assertNull(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"));
        assertFalse(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
    }
}
