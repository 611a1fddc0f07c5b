package io.wharf.relay;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * The skeptic's test: events with unique ids and per-key sequence numbers (some keys hot, some
 * events poison) relayed by a gateway in its own process, to an endpoint that injects faults before
 * and after applying, while the gateway is SIGKILLed and restarted again and again. At the end the
 * endpoint's ledger and the read_committed output topics are counted.
 */
final class CrashHarness {
    /**
     * How to run.
     *
     * @param events      events to relay
     * @param keys        distinct keys
     * @param kills       SIGKILLs (each followed by a restart)
     * @param deduplicate whether the endpoint de-duplicates on the idempotency key (false = negative control)
     * @param seed        randomness of keys, poison, faults and kill moments
     */
    record Settings(int events, int keys, int kills, boolean deduplicate, long seed) {
    }

    /** What was counted. */
    record Report(int events, int keys, int poison, int kills, long lost, long duplicateEffects, long orderViolations,
                  long deadLetters, long deadLetterDuplicates, long unexpectedDeadLetters, long missingDeadLetters,
                  long responses, long responseDuplicates, long missingResponses, long attempts,
                  long deduplicatedRetries, long conflicts, long keyOverlaps, Map<String, Long> injected,
                  List<Integer> appliedAtKill, Duration elapsed, Feed feed) {
        Report withFeed(Feed f) {
            return new Report(events, keys, poison, kills, lost, duplicateEffects, orderViolations, deadLetters,
                    deadLetterDuplicates, unexpectedDeadLetters, missingDeadLetters, responses, responseDuplicates,
                    missingResponses, attempts, deduplicatedRetries, conflicts, keyOverlaps, injected, appliedAtKill,
                    elapsed, f);
        }

        String describe() {
            return String.format("crash test: events=%,d keys=%,d poison=%d kills=%d elapsed=%ds%n"
                            + "  lost=%d duplicate-effects=%d order-violations=%d key-overlaps=%d%n"
                            + "  dead-letters=%d (duplicates=%d, not-poison=%d, poison-missing=%d)%n"
                            + "  responses=%,d (duplicates=%d, missing=%d)%n"
                            + "  attempts=%,d de-duplicated-retries=%,d conflicts-409=%,d injected=%s%n"
                            + "  effects applied when each kill happened: %s%n"
                            + "  poller: %s",
                    events, keys, poison, kills, elapsed.toSeconds(), lost, duplicateEffects, orderViolations, keyOverlaps,
                    deadLetters, deadLetterDuplicates, unexpectedDeadLetters, missingDeadLetters, responses,
                    responseDuplicates, missingResponses, attempts, deduplicatedRetries, conflicts, injected,
                    appliedAtKill, feed);
        }
    }

    private record Event(int id, String key, int seq, boolean poison) {
        String value() {
            return "id=" + id + ";key=" + key + ";seq=" + seq + ";poison=" + (poison ? 1 : 0);
        }

        static Event parse(String value) {
            Map<String, String> f = new HashMap<>();
            for (String part : value.split(";")) {
                int eq = part.indexOf('=');
                f.put(part.substring(0, eq), part.substring(eq + 1));
            }
            return new Event(Integer.parseInt(f.get("id")), f.get("key"), Integer.parseInt(f.get("seq")),
                    f.get("poison").equals("1"));
        }
    }

    private final TestKafka kafka;
    private final Settings settings;
    private final Random random;
    private final Path logs;

    CrashHarness(TestKafka kafka, Settings settings, Path logs) {
        this.kafka = kafka;
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.logs = logs;
    }

    Report run() throws Exception {
        long started = System.nanoTime();
        String source = kafka.createTopic("crash-source", 4);
        String dlt = kafka.createTopic("crash-dlt", 1);
        String responses = kafka.createTopic("crash-responses", 2);
        String feedTopic = kafka.createTopic("crash-feed", 1);
        String feedState = kafka.createTopic("crash-feed-state", 1, Map.of("cleanup.policy", "compact"));
        List<Event> events = events();
        Map<String, Integer> idOfOffset = produce(source, events);
        Map<String, Long> injected = new HashMap<>();
        for (String f : List.of("503-before", "500-after", "timeout-after", "429", "slow", "422-poison")) {
            injected.put(f, 0L);
        }
        Map<String, AtomicLong> injectedCounters = new HashMap<>();
        injected.keySet().forEach(k -> injectedCounters.put(k, new AtomicLong()));

        // the feed grows by 20 items a second from the first start, so the poller is at work through the kills
        int feedItems = Math.max(500, settings.events() / 20);
        try (LedgerEndpoint endpoint = LedgerEndpoint.start(); FeedSource feed = new FeedSource(feedItems)) {
            LedgerEndpoint.Ledger ledger = endpoint.ledger("/crash");
            ledger.deduplicate = settings.deduplicate();
            Random faults = new Random(settings.seed() * 31 + 7);
            ledger.script = r -> {
                if (Event.parse(r.text()).poison()) {
                    injectedCounters.get("422-poison").incrementAndGet();
                    return LedgerEndpoint.Plan.reject(422);
                }
                double x;
                synchronized (faults) {
                    x = faults.nextDouble();
                }
                if (x < 0.03) {
                    injectedCounters.get("503-before").incrementAndGet();
                    return LedgerEndpoint.Plan.reject(503);
                }
                if (x < 0.06) {
                    injectedCounters.get("500-after").incrementAndGet();
                    return LedgerEndpoint.Plan.applyThen(500, 0);
                }
                if (x < 0.075) {
                    injectedCounters.get("timeout-after").incrementAndGet();
                    return LedgerEndpoint.Plan.applyThen(200, 1_500); // the relay gives up after 1s
                }
                if (x < 0.08) {
                    injectedCounters.get("429").incrementAndGet();
                    return LedgerEndpoint.Plan.reject(429, Map.of("Retry-After", "1"));
                }
                if (x < 0.09) {
                    injectedCounters.get("slow").incrementAndGet();
                    return LedgerEndpoint.Plan.okAfter(300);
                }
                return LedgerEndpoint.Plan.okAfter((long) (x * 10) % 4);
            };
            String url = endpoint.url("/crash").toString();
            List<String> args = List.of(kafka.bootstrapServers(), source, url, dlt, responses, "crash-a",
                    feed.url().toString(), feedTopic, feedState);
            List<Integer> appliedAtKill = new ArrayList<>();
            Set<Integer> poisonIds = new HashSet<>();
            events.stream().filter(Event::poison).forEach(e -> poisonIds.add(e.id()));
            int nonPoison = events.size() - poisonIds.size();

            for (int k = 0; k < settings.kills(); k++) {
                int appliedAtLaunch = ledger.effects().size();
                Process p = launch(args, k);
                feed.grow();
                if (random.nextInt(5) == 0) {
                    // now and then during start-up: joining the group, fencing, reading offsets
                    Thread.sleep(300 + random.nextInt(2_500));
                } else {
                    // mostly in the middle of relaying: once this run has applied something, at a random moment
                    awaitReady(k);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (ledger.effects().size() == appliedAtLaunch && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    Thread.sleep(random.nextInt(3_000));
                }
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                appliedAtKill.add(ledger.effects().size());
            }
            Process last = launch(args, settings.kills());
            feed.grow();
            awaitReady(settings.kills());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < deadline) {
                long applied = ledger.effects().stream().map(r -> Event.parse(r.text()).id()).distinct().count();
                long poisonSeen = ledger.requests().stream().map(r -> Event.parse(r.text()))
                        .filter(Event::poison).map(Event::id).distinct().count();
                if (applied >= nonPoison && poisonSeen >= poisonIds.size() && ledger.inFlight.get() == 0
                        && feed.published() == feedItems && Topics.readCommitted(kafka, feedTopic).size() >= feedItems) {
                    break;
                }
                if (!last.isAlive()) {
                    throw new IllegalStateException("the relay process exited with " + last.exitValue() + "; see " + logs);
                }
                Thread.sleep(200);
            }
            // a clean stop commits what is finished, so every output becomes visible
            last.destroy();
            if (!last.waitFor(60, TimeUnit.SECONDS)) {
                last.destroyForcibly();
                throw new IllegalStateException("the relay process did not stop on SIGTERM within 60s");
            }
            for (var c : injectedCounters.entrySet()) {
                injected.put(c.getKey(), c.getValue().get());
            }
            Report report = count(events, poisonIds, ledger, idOfOffset, dlt, responses, injected, started, appliedAtKill);
            return report.withFeed(feedCounts(feedTopic, feedItems, feed));
        }
    }

    private Report count(List<Event> events, Set<Integer> poisonIds, LedgerEndpoint.Ledger ledger,
                         Map<String, Integer> idOfOffset, String dlt, String responses, Map<String, Long> injected,
                         long started, List<Integer> appliedAtKill) {
        Map<Integer, Integer> applications = new HashMap<>();
        Map<String, List<Integer>> appliedSeqs = new HashMap<>();
        for (LedgerEndpoint.Request r : ledger.effects()) {
            Event e = Event.parse(r.text());
            applications.merge(e.id(), 1, Integer::sum);
            appliedSeqs.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.seq());
        }
        Map<Integer, Integer> deadLettered = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Topics.readCommitted(kafka, dlt)) {
            deadLettered.merge(Event.parse(TestKafka.text(r.value())).id(), 1, Integer::sum);
        }
        Map<Integer, Integer> responded = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Topics.readCommitted(kafka, responses)) {
            Integer id = idOfOffset.get(header(r, "wharf-source-partition") + "/" + header(r, "wharf-source-offset"));
            responded.merge(id == null ? -1 : id, 1, Integer::sum);
        }
        long lost = 0;
        long missingResponses = 0;
        for (Event e : events) {
            if (!applications.containsKey(e.id()) && !deadLettered.containsKey(e.id())) {
                lost++;
            }
            if (!e.poison() && !responded.containsKey(e.id())) {
                missingResponses++;
            }
        }
        long duplicates = applications.values().stream().mapToLong(n -> n - 1).sum();
        long violations = 0;
        Map<String, List<Integer>> expected = new HashMap<>();
        for (Event e : events) {
            if (!e.poison()) {
                expected.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.seq());
            }
        }
        for (var entry : appliedSeqs.entrySet()) {
            List<Integer> want = expected.getOrDefault(entry.getKey(), List.of());
            int next = 0;
            for (int seq : entry.getValue()) {
                if (next < want.size() && want.get(next) == seq) {
                    next++;
                } else {
                    // backwards (a repeat of an earlier one) or a skip ahead
                    violations++;
                    int at = want.indexOf(seq);
                    if (at >= next) {
                        next = at + 1;
                    }
                }
            }
        }
        long deadLetterDuplicates = deadLettered.values().stream().mapToLong(n -> n - 1).sum();
        long unexpectedDeadLetters = deadLettered.keySet().stream().filter(id -> !poisonIds.contains(id)).count();
        long missingDeadLetters = poisonIds.stream().filter(id -> !deadLettered.containsKey(id)).count();
        long responseDuplicates = responded.values().stream().mapToLong(n -> n - 1).sum();
        long responseTotal = responded.values().stream().mapToLong(Integer::longValue).sum();
        long deadLetterTotal = deadLettered.values().stream().mapToLong(Integer::longValue).sum();
        return new Report(events.size(), settings.keys(), poisonIds.size(), settings.kills(), lost, duplicates,
                violations, deadLetterTotal, deadLetterDuplicates, unexpectedDeadLetters, missingDeadLetters,
                responseTotal, responseDuplicates, missingResponses, ledger.requests().size(),
                ledger.deduplicated.get(), ledger.conflicts.get(), ledger.keyOverlaps.get(), injected, appliedAtKill,
                Duration.ofNanos(System.nanoTime() - started), null);
    }

    /**
     * What the poller wrote.
     *
     * @param items     items the feed published
     * @param written   records in the feed topic (read_committed)
     * @param repeated  items written more than once
     * @param missing   items never written
     * @param outOfOrder records whose id is not one more than the previous one
     * @param requests  GETs the feed answered
     * @param notModified of which 304
     */
    record Feed(int items, int written, long repeated, long missing, long outOfOrder, int requests, int notModified) {
        @Override
        public String toString() {
            return String.format("items=%,d written=%,d repeated=%d missing=%d out-of-order=%d gets=%,d (304: %,d)",
                    items, written, repeated, missing, outOfOrder, requests, notModified);
        }
    }

    private Feed feedCounts(String topic, int items, FeedSource feed) {
        Map<Integer, Integer> seen = new HashMap<>();
        long outOfOrder = 0;
        int previous = 0;
        List<ConsumerRecord<byte[], byte[]>> records = Topics.readCommitted(kafka, topic);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            int id = Integer.parseInt(TestKafka.text(r.key()));
            seen.merge(id, 1, Integer::sum);
            if (id != previous + 1) {
                outOfOrder++;
            }
            previous = id;
        }
        long repeated = seen.values().stream().mapToLong(n -> n - 1).sum();
        long missing = 0;
        for (int id = 1; id <= items; id++) {
            if (!seen.containsKey(id)) {
                missing++;
            }
        }
        return new Feed(items, records.size(), repeated, missing, outOfOrder, feed.requests.get(),
                feed.notModified.get());
    }

    /** Events over skewed keys: ten hot keys take a fifth of all events; one in 500 is poison. */
    private List<Event> events() {
        List<Event> out = new ArrayList<>(settings.events());
        Map<String, Integer> seqs = new HashMap<>();
        int hot = Math.min(10, settings.keys());
        for (int id = 0; id < settings.events(); id++) {
            int k = random.nextDouble() < 0.2 ? random.nextInt(hot) : random.nextInt(settings.keys());
            String key = "key-" + k;
            int seq = seqs.merge(key, 1, Integer::sum);
            boolean poison = random.nextDouble() < 0.002;
            out.add(new Event(id, key, seq, poison));
        }
        return out;
    }

    private Map<String, Integer> produce(String topic, List<Event> events) throws Exception {
        Map<String, Integer> idOfOffset = new HashMap<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (Event e : events) {
                sent.add(producer.send(new ProducerRecord<>(topic, e.key().getBytes(StandardCharsets.UTF_8),
                        e.value().getBytes(StandardCharsets.UTF_8))));
            }
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                idOfOffset.put(m.partition() + "/" + m.offset(), events.get(i).id());
            }
        }
        return idOfOffset;
    }

    private void awaitReady(int run) throws Exception {
        Path log = logs.resolve("relay-run-" + run + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("RELAY-READY")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("relay run " + run + " did not start within 60s; see " + log);
    }

    private Process launch(List<String> args, int run) throws Exception {
        Files.createDirectories(logs);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dlog4j2.configurationFile=log4j2-test.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RelayProcess.class.getName());
        command.addAll(args);
        File log = logs.resolve("relay-run-" + run + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
