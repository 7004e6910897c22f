package io.authservice.audit.testing;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one) inside the test JVM, on
 * fixed ports for its life, so it can be stopped and started again at the same address with its data.
 * Test classes that never stop their broker share one per JVM ({@link #shared()}), each on topics
 * of its own; a class that stops its broker {@link #start() starts} its own.
 */
public final class TestKafka implements AutoCloseable {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static TestKafka shared;

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;
    private boolean isShared;

    private TestKafka(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats a fresh log directory and starts the broker. */
    public static TestKafka start() {
        try {
            final TestKafka kafka = new TestKafka(Files.createTempDirectory("kafka-test"), freePort(), freePort());
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(kafka.logDir.toString())
                    .setDirectories(List.of(kafka.logDir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
            kafka.startBroker();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the test broker's storage", e);
        }
    }

    /**
     * The test JVM's one shared broker, started on first use and stopped when the JVM exits: for
     * test classes that never stop it. {@link #close()} leaves it running; {@link #stop()} is refused.
     */
    public static synchronized TestKafka shared() {
        if (shared == null) {
            final TestKafka kafka = start();
            kafka.isShared = true;
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::stopBroker, "test-kafka-stop"));
            shared = kafka;
        }
        return shared;
    }

    /** {@code name} with a suffix no other topic of this JVM has: for a test's own topic on the {@link #shared()} broker. */
    public static String uniqueTopic(String name) {
        return name + "-" + TOPICS.incrementAndGet();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker again after {@link #stop()}, on the same ports and data. */
    public synchronized void startBroker() {
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "3");
        props.put("auto.create.topics.enable", "true");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
    }

    /**
     * Creates a topic and waits until it exists (so a test does not race the broker's auto-creation).
     * Returns this broker, for {@code TestKafka.start().createTopic(...)}.
     */
    public TestKafka createTopic(String name, int partitions) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(name, partitions, (short) 1)))
                    .all().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
        return this;
    }

    /** Stops the broker (its data stays); clients see it as down. Refused for the {@link #shared()} broker. */
    public synchronized void stop() {
        if (isShared) {
            throw new IllegalStateException("the shared test broker is never stopped: a test that stops its broker starts its own");
        }
        stopBroker();
    }

    private synchronized void stopBroker() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Stops a broker of the test's own; the {@link #shared()} one runs on. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
