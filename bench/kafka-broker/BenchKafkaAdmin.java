import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Kafka side of bench/kafka.sh, through kafka-clients' Admin (the broker's jars carry no
 * command-line tools): makes the audit topic and waits until every partition has a leader, and
 * reads the consumer group's lag (end offsets minus committed offsets) at given moments.
 *
 * <pre>
 * java -cp CLASSES:LIB/* BenchKafkaAdmin topic BOOTSTRAP TOPIC PARTITIONS TIMEOUT_SECONDS
 * java -cp CLASSES:LIB/* BenchKafkaAdmin lag BOOTSTRAP GROUP TOPIC
 * </pre>
 *
 * {@code lag} stays up (so that no JVM start competes for the CPU with the catch-up it measures):
 * for each epoch-millis line on stdin it waits until that moment, reads the lag and prints one line,
 * {@code <records> <epoch millis read> <per-partition lags>}; it ends at end of input. Exit status 1
 * with a message on stderr when the broker does not answer in time.
 */
public final class BenchKafkaAdmin {
    private BenchKafkaAdmin() {
    }

    public static void main(String[] args) throws Exception {
        try {
            final String command = args.length > 0 ? args[0] : "";
            if (command.equals("topic") && args.length == 5) {
                topic(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
            } else if (command.equals("lag") && args.length == 4) {
                lag(args[1], args[2], args[3]);
            } else {
                System.err.println("usage: topic BOOTSTRAP TOPIC PARTITIONS TIMEOUT_SECONDS | lag BOOTSTRAP GROUP TOPIC");
                System.exit(2);
            }
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("BenchKafkaAdmin " + args[0] + ": " + (e.getCause() != null ? e.getCause() : e));
            System.exit(1);
        }
    }

    private static Admin admin(String bootstrap, long timeoutMillis) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMillis,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMillis, 10_000)));
    }

    /** Creates the topic (or finds it) and returns once every partition has a leader. */
    private static void topic(String bootstrap, String topic, int partitions, long timeoutSeconds) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try (Admin admin = admin(bootstrap, TimeUnit.SECONDS.toMillis(timeoutSeconds))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                        .get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            while (true) {
                final TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeoutSeconds, TimeUnit.SECONDS).get(topic);
                final List<TopicPartitionInfo> parts = description.partitions();
                if (parts.size() == partitions && parts.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    System.out.println("topic " + topic + ": " + partitions + " partitions, all led");
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("topic " + topic + " has no leader on every partition: " + parts);
                }
                Thread.sleep(100);
            }
        }
    }

    /** For each requested moment: waits until then, and reads the group's committed offsets against the end offsets. */
    private static void lag(String bootstrap, String group, String topic) throws Exception {
        try (Admin admin = admin(bootstrap, 10_000);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
            final List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            for (String line; (line = in.readLine()) != null; ) {
                final long wait = Long.parseLong(line.trim()) - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                System.out.println(lagNow(admin, group, partitions));
                System.out.flush();
            }
        }
    }

    private static String lagNow(Admin admin, String group, List<TopicPartition> partitions) throws Exception {
        final long readAt = System.currentTimeMillis();
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        final Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream()
                        .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest())))
                .all().get(10, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        long total = 0;
        final StringBuilder perPartition = new StringBuilder();
        for (TopicPartition p : partitions) {
            final OffsetAndMetadata c = committed.get(p);
            final long lag = ends.get(p) - (c == null ? 0 : c.offset());
            total += lag;
            perPartition.append(perPartition.isEmpty() ? "" : ",").append(p.partition()).append(':').append(lag);
        }
        return total + " " + readAt + " " + perPartition;
    }
}
