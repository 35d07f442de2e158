/**
 * What keeps a call working when an instance fails: retry rules and their budget, backoff,
 * connection limits (circuit breaking) in front of the local app, gRPC deadlines, and the
 * events (retries, ejections, overflows, health transitions) operators see in stats and logs.
 * Outlier ejection and load balancing live with the endpoints, in {@code upstream}; active
 * health checks in {@code health}.
 */
package io.meshwork.proxy.resilience;
