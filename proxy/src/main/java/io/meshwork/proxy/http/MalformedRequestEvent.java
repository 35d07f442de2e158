package io.meshwork.proxy.http;

/**
 * Fired to the exchange in flight when the body of its request cannot be parsed (a broken chunk,
 * say): the request can never be completed, so its exchange ends and the connection with it.
 */
public record MalformedRequestEvent(Throwable cause) {
}
