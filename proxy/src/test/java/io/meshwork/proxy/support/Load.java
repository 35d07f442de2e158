package io.meshwork.proxy.support;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/** Many calls from a few threads, as an app under load makes them; counts what came back. */
public final class Load {
    /** What {@code total} calls gave: statuses (0 for a call that failed without a response), the slowest. */
    public record Result(int total, Map<Integer, Long> statuses, long maxMillis, String firstFailure) {
        public long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }

        public double successRate() {
            return (double) count(200) / total;
        }

        public long non2xx() {
            return statuses.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() > 299).mapToLong(Map.Entry::getValue).sum();
        }

        @Override
        public String toString() {
            return total + " calls, statuses " + statuses + ", slowest " + maxMillis + " ms"
                    + (firstFailure == null ? "" : ", first failure: " + firstFailure);
        }
    }

    /** One call; throws for a call that got no response. */
    public interface Call {
        Reply send();
    }

    /** The part of a response a load run counts. */
    public record Reply(int status, String detail) {
        public static Reply of(HttpResponse<String> response) {
            return new Reply(response.statusCode(), response.headers().map() + " " + response.body());
        }

        public static Reply of(WireHttpClient.Reply response) {
            return new Reply(response.status(), response.headers() + " " + response.body());
        }
    }

    private Load() {
    }

    public static Result run(int threads, int total, Call call) throws Exception {
        return run(threads, total, call, n -> { });
    }

    /** {@code total} calls from {@code threads} threads; {@code onEach} sees the running count (to inject faults). */
    public static Result run(int threads, int total, Call call, IntConsumer onEach) throws Exception {
        AtomicInteger issued = new AtomicInteger();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        AtomicLong slowest = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    int n;
                    while ((n = issued.incrementAndGet()) <= total) {
                        onEach.accept(n);
                        long start = System.nanoTime();
                        int status;
                        try {
                            Reply response = call.send();
                            status = response.status();
                            if (status < 200 || status > 299) {
                                firstFailure.compareAndSet(null, status + " " + response.detail());
                            }
                        } catch (RuntimeException failed) {
                            status = 0; // a reset or refused connection
                            firstFailure.compareAndSet(null, failed.toString());
                        }
                        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                        slowest.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                    }
                }));
            }
            for (Future<?> w : workers) {
                w.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<Integer, Long> counted = new TreeMap<>();
        statuses.forEach((status, n) -> counted.put(status, n.sum()));
        return new Result(total, counted, slowest.get(), firstFailure.get());
    }
}
