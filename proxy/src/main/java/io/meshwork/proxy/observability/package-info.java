/** Stats (Prometheus text on the admin port) and access logs. */
package io.meshwork.proxy.observability;
