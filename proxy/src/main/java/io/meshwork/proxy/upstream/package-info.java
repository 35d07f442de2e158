/** Upstreams: clusters and their endpoints, connection pools per event loop. */
package io.meshwork.proxy.upstream;
