package io.wharf.bench.baseline;

import java.time.Duration;

import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.Scenario;
import io.wharf.bench.Stats;
import org.HdrHistogram.Histogram;

/**
 * The baseline every later figure compares against: raw kafka-clients producer and consumer
 * throughput (1 and 4 partitions) and end-to-end latency at a fixed rate, on the embedded broker.
 */
public final class BaselineScenario implements Scenario {
    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public String description() {
        return "raw kafka-clients producer/consumer throughput and end-to-end latency (--records 1M --size 100 --runs 3 --warmup 1 --rate 5000)";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        long records = args.number("records", 1_000_000);
        int size = args.integer("size", 100);
        int runs = args.integer("runs", 3);
        int rate = args.integer("rate", 5_000);
        int warmups = args.integer("warmup", 1);
        Duration latencyTime = Duration.ofSeconds(args.number("latency-seconds", 10));
        report.progress("baseline: %,d records of %d B, %d warm-up + %d measured runs, latency at %,d/s for %ds", records,
                size, warmups, runs, rate, latencyTime.toSeconds());

        Stats produce1 = new Stats();
        Stats produce1Mb = new Stats();
        Stats produce4 = new Stats();
        Stats produce4Mb = new Stats();
        Stats consume1 = new Stats();
        Stats consume1Mb = new Stats();
        Stats consume4 = new Stats();
        Stats consume4Mb = new Stats();
        Stats p50 = new Stats();
        Stats p99 = new Stats();
        try (BenchKafka kafka = BenchKafka.start(args)) {
            // Unmeasured rounds first: the first million sends run in the interpreter and C1, which
            // is a property of a cold JVM, not of Kafka; Wharf's scenarios warm up the same way.
            for (int warmup = 1; warmup <= warmups; warmup++) {
                Round r = round(kafka, "baseline-warmup", 4, records, size);
                report.progress("warm-up %d: produce %,.0f rec/s, consume %,.0f rec/s (not counted)", warmup,
                        r.produce().recordsPerSecond(), r.consume().recordsPerSecond());
                latency(kafka, "baseline-warmup-latency", rate, Duration.ofSeconds(3), size);
            }
            for (int run = 1; run <= runs; run++) {
                for (int partitions : new int[] {1, 4}) {
                    Round r = round(kafka, "baseline-" + partitions + "p", partitions, records, size);
                    RawKafka.Throughput p = r.produce();
                    RawKafka.Throughput c = r.consume();
                    report.progress("run %d, %d partition(s): produce %,.0f rec/s (%.1f MB/s), consume %,.0f rec/s (%.1f MB/s)",
                            run, partitions, p.recordsPerSecond(), p.megabytesPerSecond(), c.recordsPerSecond(),
                            c.megabytesPerSecond());
                    (partitions == 1 ? produce1 : produce4).add(p.recordsPerSecond());
                    (partitions == 1 ? produce1Mb : produce4Mb).add(p.megabytesPerSecond());
                    (partitions == 1 ? consume1 : consume4).add(c.recordsPerSecond());
                    (partitions == 1 ? consume1Mb : consume4Mb).add(c.megabytesPerSecond());
                }
                Histogram h = latency(kafka, "baseline-latency", rate, latencyTime, size);
                report.progress("run %d, latency at %,d/s: p50 %.2f ms, p99 %.2f ms (%,d samples)", run, rate,
                        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getTotalCount());
                p50.add(h.getValueAtPercentile(50) / 1000.0);
                p99.add(h.getValueAtPercentile(99) / 1000.0);
            }
        }
        report.columns("measure", "median (min–max)", "unit");
        report.row("produce, 1 partition", produce1.format("%,.0f"), "records/s");
        report.row("produce, 1 partition", produce1Mb.format("%.1f"), "MB/s");
        report.row("produce, 4 partitions", produce4.format("%,.0f"), "records/s");
        report.row("produce, 4 partitions", produce4Mb.format("%.1f"), "MB/s");
        report.row("consume, 1 partition", consume1.format("%,.0f"), "records/s");
        report.row("consume, 1 partition", consume1Mb.format("%.1f"), "MB/s");
        report.row("consume, 4 partitions", consume4.format("%,.0f"), "records/s");
        report.row("consume, 4 partitions", consume4Mb.format("%.1f"), "MB/s");
        report.row("end-to-end p50 at " + rate + "/s (linger 0)", p50.format("%.2f"), "ms");
        report.row("end-to-end p99 at " + rate + "/s (linger 0)", p99.format("%.2f"), "ms");
        report.print("baseline: raw kafka-clients, " + records + " x " + size + " B, " + warmups + " warm-up + " + runs
                + " measured runs");
    }

    /** One throughput measurement: produce then consume on a fresh topic, which is deleted after. */
    private record Round(RawKafka.Throughput produce, RawKafka.Throughput consume) {
    }

    private static Round round(BenchKafka kafka, String prefix, int partitions, long records, int size) throws Exception {
        String topic = kafka.createTopic(prefix, partitions, RawKafka.topicConfigs());
        Round r = new Round(RawKafka.produce(kafka.bootstrapServers(), topic, records, size),
                RawKafka.consume(kafka.bootstrapServers(), topic, records));
        kafka.admin().deleteTopics(java.util.List.of(topic)).all().get();
        return r;
    }

    private static Histogram latency(BenchKafka kafka, String prefix, int rate, Duration time, int size) throws Exception {
        String topic = kafka.createTopic(prefix, 1, RawKafka.topicConfigs());
        Histogram h = RawKafka.latency(kafka.bootstrapServers(), topic, rate, time, size);
        kafka.admin().deleteTopics(java.util.List.of(topic)).all().get();
        return h;
    }
}
