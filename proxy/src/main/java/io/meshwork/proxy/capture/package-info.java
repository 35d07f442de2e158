/** Traffic captured by iptables: where a redirected connection was going before it was sent to the proxy. */
package io.meshwork.proxy.capture;
