/**
 * Tracing: a SERVER span for each request the proxy receives and a CLIENT span for each upstream
 * attempt, with the OpenTelemetry SDK configured by the standard OTEL_* variables and by App
 * Mesh's Envoy switches (X-Ray over UDP, "Jaeger" as Zipkin v2 JSON). Off unless a variable asks.
 */
package io.meshwork.proxy.observability.tracing;
