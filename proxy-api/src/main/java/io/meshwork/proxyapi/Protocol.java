package io.meshwork.proxyapi;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The protocol of a listener, a route or a health check, as App Mesh names it ({@code portMapping.protocol}). */
public enum Protocol {
    HTTP("http"), HTTP2("http2"), GRPC("grpc"), TCP("tcp");

    private final String wireName;

    Protocol(String wireName) {
        this.wireName = wireName;
    }

    /** The name in App Mesh specs and in snapshots: {@code http}, {@code http2}, {@code grpc}, {@code tcp}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static Protocol of(String name) {
        for (Protocol p : values()) {
            if (p.wireName.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + name + "': expected http, http2, grpc or tcp");
    }

    /** Whether requests are streams of one HTTP/2 connection (http2, grpc). */
    public boolean http2() {
        return this == HTTP2 || this == GRPC;
    }

    /** Whether it carries HTTP requests at all (everything but tcp). */
    public boolean http() {
        return this != TCP;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
