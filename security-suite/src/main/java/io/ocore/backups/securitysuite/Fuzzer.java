package io.ocore.backups.securitysuite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Sends the generated cases with bounded concurrency, within a deadline, and judges the answers. */
final class Fuzzer {

    private static final int SHOWN = 5;

    private final FuzzCases cases;
    private final RawHttp http;
    private final int concurrency;
    private final long deadlineMillis;

    Fuzzer(FuzzCases cases, RawHttp http, int concurrency, long deadlineMillis) {
        this.cases = cases;
        this.http = http;
        this.concurrency = concurrency;
        this.deadlineMillis = deadlineMillis;
    }

    /** What the run saw; the lists keep the first few offending cases. */
    static final class Result {
        final AtomicInteger sent = new AtomicInteger();
        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        final Set<String> routeMethods = ConcurrentHashMap.newKeySet();
        final List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());
        final List<String> dropped = Collections.synchronizedList(new ArrayList<>());
        final List<String> notProblem = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger serverErrorCount = new AtomicInteger();
        final AtomicInteger droppedCount = new AtomicInteger();
        final AtomicInteger notProblemCount = new AtomicInteger();
        final Map<Integer, AtomicInteger> bodiless = new ConcurrentHashMap<>();
        final List<String> bodilessExamples = Collections.synchronizedList(new ArrayList<>());
        volatile long elapsedMillis;

        String statusHistogram() {
            return sorted(statuses);
        }

        /** Non-2xx answers to methods other than HEAD that carried no body at all, by status. */
        String bodilessHistogram() {
            return sorted(bodiless);
        }

        private static String sorted(Map<Integer, AtomicInteger> counts) {
            Map<Integer, Integer> sorted = new TreeMap<>();
            counts.forEach((k, v) -> sorted.put(k, v.get()));
            return sorted.toString();
        }
    }

    Result run(int count) {
        Result result = new Result();
        long start = System.currentTimeMillis();
        long deadline = start + deadlineMillis;
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < concurrency; t++) {
            pool.execute(() -> {
                for (int i; (i = next.getAndIncrement()) < count && System.currentTimeMillis() < deadline; ) {
                    judge(cases.get(i), result);
                }
            });
        }
        pool.shutdown();
        try {
            pool.awaitTermination(deadlineMillis + 60_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
        result.elapsedMillis = System.currentTimeMillis() - start;
        return result;
    }

    void judge(FuzzCases.FuzzCase c, Result result) {
        RawHttp.Outcome o = http.exchange(c.method(), c.target(), c.headers(), c.body());
        result.sent.incrementAndGet();
        result.routeMethods.add(c.route().index() + " " + c.method());
        result.statuses.computeIfAbsent(o.status(), k -> new AtomicInteger()).incrementAndGet();
        if (o.dropped() != null) {
            keep(result.dropped, result.droppedCount, c.describe() + " -> " + o.dropped());
            return;
        }
        if (o.status() >= 500) {
            keep(result.serverErrors, result.serverErrorCount, c.describe() + " -> " + o.head());
        }
        if (o.status() >= 300 && !o.hasBody() && !c.method().equals("HEAD")) {
            int n = result.bodiless.computeIfAbsent(o.status(), k -> new AtomicInteger()).incrementAndGet();
            if (n <= 2) {
                result.bodilessExamples.add(c.describe() + " -> " + o.head());
            }
        }
        if (o.status() >= 300 && o.hasBody() && !isProblem(o.contentType())) {
            keep(result.notProblem, result.notProblemCount, c.describe() + " -> " + o.head() + " Content-Type: " + o.contentType());
        }
    }

    private static boolean isProblem(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json");
    }

    private static void keep(List<String> shown, AtomicInteger count, String line) {
        if (count.incrementAndGet() <= SHOWN) {
            shown.add(line);
        }
    }
}
