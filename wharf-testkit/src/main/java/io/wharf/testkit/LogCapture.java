package io.wharf.testkit;

import java.io.StringWriter;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Captures what Wharf logs while it is open (as {@code LEVEL Logger message}), to check what log lines say and never say. */
public final class LogCapture implements AutoCloseable {
    private final StringWriter writer = new StringWriter();
    private final WriterAppender appender;
    private final LoggerContext context;

    /** Starts capturing every logger's lines. */
    public LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        appender = WriterAppender.createAppender(PatternLayout.newBuilder().withPattern("%level %c{1} %msg%n").build(),
                null, writer, "capture-" + System.nanoTime(), false, true);
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, null, null);
        if (ownWharfLogger()) {
            // an additive io.wharf logger (or none) passes its lines to the root: adding it there too would capture them twice
            context.getConfiguration().getLoggerConfig("io.wharf").addAppender(appender, null, null);
        }
        context.updateLoggers();
    }

    private boolean ownWharfLogger() {
        var wharf = context.getConfiguration().getLoggerConfig("io.wharf");
        return wharf != context.getConfiguration().getRootLogger() && !wharf.isAdditive();
    }

    /** Everything logged so far, one line per event. */
    public String text() {
        synchronized (writer) {
            return writer.toString();
        }
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        if (ownWharfLogger()) {
            context.getConfiguration().getLoggerConfig("io.wharf").removeAppender(appender.getName());
        }
        context.updateLoggers();
        appender.stop();
    }
}
