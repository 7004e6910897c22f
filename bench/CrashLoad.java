import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client of bench/crash.sh (run as a single-file program; `check` needs the service jar on the
 * class path for its JDBC drivers).
 *
 *   load PORT KEY THREADS SECONDS IDS_FILE
 *     GET /api/v1/whoami/ on 127.0.0.1:PORT from THREADS threads, every other request with KEY and the
 *     rest with an unknown key, until the file IDS_FILE.stop exists or SECONDS passed; keeps the count
 *     of answers received so far in IDS_FILE.progress; at the end writes "request-id status" of every
 *     answer received to IDS_FILE and prints: answered unanswered answers-without-request-id
 *   check JDBC_URL USER PASSWORD IDS_FILE SECONDS
 *     waits up to SECONDS until the audit store holds an event for every request id in IDS_FILE, then
 *     prints: answered stored lost duplicated (lost: answered requests without an event; duplicated:
 *     request ids with more than one event) and waited-ms
 */
public class CrashLoad {
    private static final String UNKNOWN_KEY = "0123456789abcdef0123456789abcdef01234567";

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "load" -> load(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Path.of(args[5]));
            case "check" -> check(args[1], args[2], args[3], Path.of(args[4]), Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("load or check, not " + args[0]);
        }
    }

    private static void load(int port, String key, int threads, int seconds, Path idsFile) throws Exception {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final URI whoami = URI.create("http://127.0.0.1:" + port + "/api/v1/whoami/");
        final Map<String, Integer> answers = new ConcurrentHashMap<>();
        final AtomicInteger unanswered = new AtomicInteger();
        final AtomicInteger withoutId = new AtomicInteger();
        final long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        final Path stopFile = Path.of(idsFile + ".stop");
        final Path progress = Path.of(idsFile + ".progress");
        final AtomicBoolean stopped = new AtomicBoolean();
        final Thread watcher = new Thread(() -> {
            try {
                while (!stopped.get()) {
                    // written whole and then renamed, so that the script never reads half a number
                    Files.move(Files.writeString(Path.of(progress + ".tmp"), answers.size() + "\n"), progress,
                            StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    if (Files.exists(stopFile) || System.nanoTime() > deadline) {
                        stopped.set(true);
                    }
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                stopped.set(true);
            }
        });
        watcher.start();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final Thread worker = new Thread(() -> {
                for (long n = 0; !stopped.get(); n++) {
                    try {
                        final HttpResponse<Void> response = client.send(HttpRequest.newBuilder(whoami)
                                .header("X-API-Key", n % 2 == 0 ? key : UNKNOWN_KEY).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        response.headers().firstValue("X-Request-Id").ifPresentOrElse(
                                id -> answers.put(id, response.statusCode()), withoutId::incrementAndGet);
                    } catch (IOException noAnswer) {
                        unanswered.incrementAndGet();
                        try {
                            Thread.sleep(5); // the service is down: do not spin
                        } catch (InterruptedException e) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        watcher.join();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(idsFile))) {
            answers.forEach((id, status) -> out.println(id + " " + status));
        }
        System.out.println(answers.size() + " " + unanswered.get() + " " + withoutId.get());
    }

    private static void check(String url, String user, String password, Path idsFile, int seconds) throws Exception {
        final Set<String> answered = new HashSet<>();
        for (String line : Files.readAllLines(idsFile)) {
            if (!line.isBlank()) {
                answered.add(line.split(" ")[0]);
            }
        }
        final long start = System.nanoTime();
        final long deadline = start + Duration.ofSeconds(seconds).toNanos();
        Map<String, Integer> stored;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            while (true) {
                stored = countByRequestId(c);
                if (stored.keySet().containsAll(answered) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
        }
        final long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
        final Map<String, Integer> found = stored;
        final long lost = answered.stream().filter(id -> !found.containsKey(id)).count();
        final long storedOfAnswered = answered.size() - lost;
        final long duplicated = stored.values().stream().filter(n -> n > 1).count();
        System.out.println(answered.size() + " " + storedOfAnswered + " " + lost + " " + duplicated + " " + waited);
    }

    private static Map<String, Integer> countByRequestId(Connection c) throws Exception {
        final Map<String, Integer> counts = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT request_id, COUNT(*) FROM audit_events WHERE request_id IS NOT NULL GROUP BY request_id")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }
}
