package io.authservice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Key-authenticated and unknown-key requests driven at a service on loopback by a few client
 * threads, bounded in count and time, recording the {@code X-Request-Id} and status of every
 * answer received. A request that gets no answer (the service died under it), or an answer with
 * no request id (Jetty's own, while it stops), is only counted.
 */
public final class RequestLoad {
    /** An unknown key: well formed, never stored. */
    public static final String UNKNOWN_KEY = "0123456789abcdef0123456789abcdef01234567";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI whoami;
    private final String validKey;
    private final int maxRequests;
    private final Duration maxTime;
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> withoutRequestId = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param port        the service's application port on 127.0.0.1
     * @param validKey    a stored key, sent on every other request (the rest send {@link #UNKNOWN_KEY})
     * @param maxRequests most requests sent, over all threads
     * @param maxTime     how long the threads send at most
     */
    public RequestLoad(int port, String validKey, int maxRequests, Duration maxTime) {
        this.whoami = URI.create("http://127.0.0.1:" + port + "/api/v1/whoami/");
        this.validKey = validKey;
        this.maxRequests = maxRequests;
        this.maxTime = maxTime;
    }

    /** Starts {@code threads} client threads. */
    public RequestLoad start(int threadCount) {
        final long deadline = System.nanoTime() + maxTime.toNanos();
        for (int t = 0; t < threadCount; t++) {
            final Thread thread = new Thread(() -> {
                try {
                    int n;
                    while (!stopped.get() && System.nanoTime() < deadline && (n = sent.incrementAndGet()) <= maxRequests) {
                        send(n % 2 == 0 ? validKey : UNKNOWN_KEY);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "request-load-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        return this;
    }

    private void send(String key) {
        try {
            final HttpResponse<Void> response = client.send(HttpRequest.newBuilder(whoami).header("X-API-Key", key)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding());
            final String requestId = response.headers().firstValue("X-Request-Id").orElse(null);
            if (requestId == null) {
                // Jetty's own answer (503 while it stops): the application never saw the request
                withoutRequestId.merge(response.statusCode(), 1, Integer::sum);
            } else if (answers.put(requestId, response.statusCode()) != null) {
                throw new AssertionError("two answers with request id " + requestId);
            }
        } catch (IOException noAnswer) {
            unanswered.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers received so far. */
    public int answered() {
        return answers.size();
    }

    /** Requests that got no answer (connection refused or reset). */
    public int unanswered() {
        return unanswered.get();
    }

    /** Tells the threads to stop and waits until they have. */
    public void stop() {
        stopped.set(true);
        awaitEnd();
    }

    /**
     * Waits until every thread ended (by its bounds, or after {@link #stop()}); fails with what a
     * thread met that was not a missing answer (an answer without a request id, say).
     */
    public void awaitEnd() {
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30) + maxTime.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not end");
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a client thread failed", failure.get());
        }
    }

    /** Answers that carry no request id (so the application did not make them), by status. */
    public Map<Integer, Integer> answersWithoutRequestId() {
        return Map.copyOf(withoutRequestId);
    }

    /** Every answer received that carries a request id: request id to status. */
    public Map<String, Integer> answers() {
        return Map.copyOf(answers);
    }
}
