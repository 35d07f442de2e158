/** The configuration in force, compiled from the snapshot for the request path. */
package io.meshwork.proxy.runtime;
