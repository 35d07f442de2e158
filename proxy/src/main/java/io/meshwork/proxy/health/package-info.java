/**
 * Active health checks as App Mesh listeners declared them: every proxy that calls a virtual
 * node checks each of its instances (protocol, path, port, interval, timeout, thresholds) and
 * stops sending to those that fail; a node's own proxy checks its app and says so on /ready.
 */
package io.meshwork.proxy.health;
