package io.meshwork.controlapi.config;

/** A configuration mistake found at start-up; its message alone tells the operator what to fix. */
public final class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
