/**
 * Tracing of the control API itself: a SERVER span per API request, a span per snapshot compile
 * and per snapshot sent to a proxy; the OpenTelemetry SDK configured by the standard OTEL_*
 * variables, off unless they name an exporter.
 */
package io.meshwork.controlapi.tracing;
