package io.meshwork.controlapi.config;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the framework's stack-trace log of a start-up that failed on a {@link StartupFailure}:
 * the one-line message printed for it already says everything the operator needs.
 */
public final class StartupFailureLogFilter extends Filter<ILoggingEvent> {
    private static final String FAILURE = StartupFailure.class.getName();

    @Override
    public FilterReply decide(ILoggingEvent event) {
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            if (FAILURE.equals(t.getClassName())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
