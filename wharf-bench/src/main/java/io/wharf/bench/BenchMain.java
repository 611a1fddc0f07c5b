package io.wharf.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** {@code java -jar wharf-bench.jar <scenario> [--option value ...]}; without a scenario, lists them. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<Scenario> scenarios = new ArrayList<>();
        ServiceLoader.load(Scenario.class).forEach(scenarios::add);
        scenarios.sort(Comparator.comparing(Scenario::name));
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: wharf-bench <scenario> [--option value ...]");
            System.out.println("scenarios:");
            scenarios.forEach(s -> System.out.printf("  %-20s %s%n", s.name(), s.description()));
            return;
        }
        Scenario scenario = scenarios.stream().filter(s -> s.name().equals(args[0])).findFirst().orElse(null);
        if (scenario == null) {
            System.err.println("wharf-bench: unknown scenario '" + args[0] + "' (run without arguments to list them)");
            System.exit(2);
            return;
        }
        BenchReport report = new BenchReport(System.out);
        scenario.run(new BenchArgs(Arrays.copyOfRange(args, 1, args.length)), report);
        System.exit(0);
    }
}
