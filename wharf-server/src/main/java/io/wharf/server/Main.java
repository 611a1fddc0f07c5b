package io.wharf.server;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.ConfigPrinter;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.FrontDoors;
import picocli.CommandLine;
import sun.misc.Signal;

/** {@code java -jar wharf.jar}: parse the command line and config, start, run until a signal, stop, exit 0. */
public final class Main {
    static final int EXIT_STARTUP_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        WharfCommand command = new WharfCommand();
        CommandLine cli = new CommandLine(command);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine.ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("wharf: " + e.getMessage() + " (see ./wharf --help)");
            return EXIT_USAGE;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return 0;
        }
        WharfConfig config;
        try {
            Map<String, Object> overrides = command.call();
            config = new ConfigLoader(FrontDoors.sections()).load(command.config, overrides);
        } catch (ConfigException e) {
            err.println("wharf: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (command.printConfig) {
            System.out.print(ConfigPrinter.yaml(config, FrontDoors.sections()));
            System.out.flush();
            return 0;
        }

        WharfServer server;
        try {
            server = WharfServer.start(config, System.err::println);
        } catch (StartupException e) {
            err.println("wharf: " + e.getMessage());
            return EXIT_STARTUP_FAILED;
        }
        System.out.println(server.readyLine());
        System.out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            server.close();
            stopped.countDown();
        };
        // Handling the signals ourselves (rather than only a shutdown hook) lets a clean stop exit 0, not 143.
        Signal.handle(new Signal("TERM"), s -> new Thread(stop, "wharf-stop").start());
        Signal.handle(new Signal("INT"), s -> new Thread(stop, "wharf-stop").start());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
