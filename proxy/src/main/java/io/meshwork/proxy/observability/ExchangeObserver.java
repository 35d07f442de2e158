package io.meshwork.proxy.observability;

/** Told about every finished request: stats and access logs listen here. */
public interface ExchangeObserver {
    void completed(ExchangeRecord record);

    /**
     * Whether a request that ended with {@code flags} is of interest: when not, no record is made
     * for it (the request path then allocates none). By default every request is.
     */
    default boolean wants(ResponseFlag flags) {
        return true;
    }
}
