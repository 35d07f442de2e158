/** Upstreams: clusters and their endpoints, balancing, connection pools per event loop, and the guard on what upstreams answer. */
package io.meshwork.proxy.upstream;
