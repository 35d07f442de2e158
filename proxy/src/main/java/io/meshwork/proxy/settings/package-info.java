/** What the proxy is told at start: its environment (ARN, ports, addresses, credentials) read once. */
package io.meshwork.proxy.settings;
