/** HTTP/2 streams as the proxy's HTTP exchanges: the frame-to-message codec of both sides and its header translation. */
package io.meshwork.proxy.http2;
