package io.meshwork.proxy.observability;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The proxy's own log (not the access log): one line per event on stderr,
 * {@code 2026-11-26T00:05:49.738Z level=INFO logger=ListenerManager message}, through
 * java.util.logging, which the JDK already carries (SLF4J calls arrive via slf4j-jdk14).
 * stdout stays free for access logs written to {@code /dev/stdout}.
 */
public final class ProcessLogging {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    // Held here because JUL keeps loggers only weakly: a collected logger would lose its level.
    private static final Logger NETTY = Logger.getLogger("io.netty");
    private static final Logger AWS_SDK = Logger.getLogger("software.amazon.awssdk");

    private ProcessLogging() {
    }

    /** Replaces the JDK's default logging setup; {@code level} is PROXY_LOG_LEVEL (TRACE..ERROR, default INFO). */
    public static void configure(String level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler stderr = new ConsoleHandler();
        stderr.setFormatter(new LineFormatter());
        stderr.setLevel(Level.ALL);
        root.addHandler(stderr);
        root.setLevel(julLevel(level));
        // Libraries speak only when something is wrong.
        NETTY.setLevel(Level.WARNING);
        AWS_SDK.setLevel(Level.WARNING);
    }

    static Level julLevel(String level) {
        if (level == null || level.isBlank()) {
            return Level.INFO;
        }
        return switch (level.trim().toUpperCase(Locale.ROOT)) {
            case "TRACE" -> Level.FINEST;
            case "DEBUG" -> Level.FINE;
            case "INFO" -> Level.INFO;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR", "CRITICAL" -> Level.SEVERE;
            case "OFF" -> Level.OFF;
            default -> throw new IllegalArgumentException("the log level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (got "
                    + level + ")");
        };
    }

    static String levelName(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN"
                : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    /** One line per record, a stack trace (if any) after it. */
    static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            String name = record.getLoggerName() == null ? "" : record.getLoggerName();
            StringBuilder line = new StringBuilder(128)
                    .append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
                    .append(" level=").append(levelName(record.getLevel()))
                    .append(" logger=").append(name.substring(name.lastIndexOf('.') + 1))
                    .append(' ').append(formatMessage(record)).append('\n');
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
