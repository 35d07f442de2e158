/**
 * The HTTP/1.1 codecs of both sides: plain messages read without Netty's decoder (names and values
 * a connection repeats are shared from message to message), every other message read by it.
 */
package io.meshwork.proxy.http1;
