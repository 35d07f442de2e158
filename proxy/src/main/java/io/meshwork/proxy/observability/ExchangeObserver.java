package io.meshwork.proxy.observability;

/** Told about every finished request: stats and access logs listen here. */
public interface ExchangeObserver {
    void completed(ExchangeRecord record);
}
