package io.meshwork.bench.controlapi;

import org.HdrHistogram.Histogram;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * Two ways to load a server. Closed loop: N workers send back to back, which measures the most
 * it can do. Open loop: requests leave at a fixed rate whatever the answers do, and latency is
 * counted from when each request was due, so a stalled server cannot hide its queue
 * (no coordinated omission).
 */
final class LoadGenerator {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(8, LoadGenerator::daemon)).build();

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "load");
        t.setDaemon(true);
        return t;
    }

    /**
     * Runs {@code requests} with {@code workers} concurrent callers for {@code duration}, or
     * until the request supplier answers null.
     */
    LoadResult closedLoop(String operation, int workers, Duration duration, LongFunction<HttpRequest> requests)
            throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong sequence = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(workers, LoadGenerator::daemon);
        List<Future<Histogram>> futures = new ArrayList<>();
        long started = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            futures.add(pool.submit(() -> {
                Histogram h = new Histogram(60_000_000L, 3);
                while (System.nanoTime() < end) {
                    HttpRequest request = requests.apply(sequence.getAndIncrement());
                    if (request == null) {
                        break;
                    }
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    long micros = (System.nanoTime() - t0) / 1000;
                    if (response.statusCode() / 100 == 2) {
                        h.recordValue(Math.min(micros, 60_000_000L));
                    } else {
                        failed.incrementAndGet();
                    }
                }
                return h;
            }));
        }
        Histogram all = new Histogram(60_000_000L, 3);
        for (Future<Histogram> f : futures) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        return new LoadResult(operation, workers + " concurrent", all.getTotalCount(), failed.get(), seconds, all);
    }

    /** Sends {@code ratePerSecond} requests a second for {@code duration}. */
    LoadResult openLoop(String operation, int ratePerSecond, Duration duration, LongFunction<HttpRequest> requests)
            throws Exception {
        long interval = 1_000_000_000L / ratePerSecond;
        long total = duration.toNanos() / interval;
        Histogram h = new Histogram(60_000_000L, 3);
        AtomicLong failed = new AtomicLong();
        List<java.util.concurrent.CompletableFuture<Void>> inFlight = new ArrayList<>();
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            HttpRequest request = requests.apply(i);
            inFlight.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
                long micros = (System.nanoTime() - due) / 1000;
                synchronized (h) {
                    if (error == null && response.statusCode() / 100 == 2) {
                        h.recordValue(Math.min(micros, 60_000_000L));
                    } else {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (var f : inFlight) {
            f.get(60, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new LoadResult(operation, ratePerSecond + "/s fixed rate", h.getTotalCount(), failed.get(), seconds, h);
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
