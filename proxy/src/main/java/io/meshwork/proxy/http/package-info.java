/**
 * The HTTP request path: the downstream handlers (pipelining, malformed requests, header timeout),
 * the exchange of one request and its parts (attempts, deadlines, replayable body), header
 * rewriting and local responses.
 */
package io.meshwork.proxy.http;
