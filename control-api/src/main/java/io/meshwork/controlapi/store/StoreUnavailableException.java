package io.meshwork.controlapi.store;

/** The store failed for a reason that is not the client's: answered as ServiceUnavailable. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
