package io.meshwork.proxy.upstream;

import java.io.IOException;

/**
 * The upstream answered something that is not a response a caller can be given: a message the
 * HTTP decoder could not parse, a status outside 100–599, a protocol switch nobody asked for.
 * The connection it came on is unusable afterwards.
 */
public final class UpstreamProtocolException extends IOException {
    public UpstreamProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
