package io.meshwork.proxy.observability.tracing;

import io.opentelemetry.sdk.trace.IdGenerator;

import java.util.concurrent.ThreadLocalRandom;

/**
 * X-Ray's view of ids. Its trace ids are {@code 1-<8 hex: epoch seconds>-<24 hex random>}, and
 * the service refuses traces whose time part is far from now: with X-Ray on, new trace ids start
 * with the time, so the 32 hex digits of a W3C trace id map one to one onto an X-Ray id.
 */
final class XRayIds implements IdGenerator {
    static final XRayIds INSTANCE = new XRayIds();

    private XRayIds() {
    }

    @Override
    public String generateSpanId() {
        return IdGenerator.random().generateSpanId();
    }

    @Override
    public String generateTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long seconds = System.currentTimeMillis() / 1000;
        return String.format("%08x%08x%016x", seconds & 0xffffffffL, random.nextInt(), random.nextLong() | 1L);
    }

    /** The X-Ray form of an OpenTelemetry trace id: {@code 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy}. */
    static String traceId(String otelTraceId) {
        return "1-" + otelTraceId.substring(0, 8) + "-" + otelTraceId.substring(8);
    }
}
