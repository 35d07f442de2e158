package io.meshwork.bench.controlapi;

import org.HdrHistogram.Histogram;

/** What one load phase measured: successful calls per second and latency percentiles. */
record LoadResult(String operation, String mode, long ok, long failed, double seconds, Histogram latencyMicros) {
    double throughput() {
        return ok / seconds;
    }

    double p50Millis() {
        return latencyMicros.getValueAtPercentile(50) / 1000.0;
    }

    double p99Millis() {
        return latencyMicros.getValueAtPercentile(99) / 1000.0;
    }
}
