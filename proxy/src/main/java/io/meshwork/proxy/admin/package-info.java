/** The admin port: readiness, server info, stats, configuration dump, clusters. */
package io.meshwork.proxy.admin;
