package io.wharf.bench;

/**
 * One benchmark scenario, found through {@link java.util.ServiceLoader} (list it in
 * {@code META-INF/services/io.wharf.bench.Scenario}). It measures its baseline and Wharf in the
 * same run and reports both with their ratio.
 */
public interface Scenario {
    /** Short name used on the command line, e.g. {@code baseline}. */
    String name();

    /** One line saying what it measures. */
    String description();

    /** Runs the scenario, printing progress lines and a final result table to {@code report}. */
    void run(BenchArgs args, BenchReport report) throws Exception;
}
