package io.wharf.server;

import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Consumer;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.ConfigPrinter;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.FrontDoors;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code java -jar wharf.jar}: parse the command line and config, start, run until a signal, stop, exit 0
 * (or 3 when the stop did not finish within {@code shutdown-timeout} or a second signal came).
 */
public final class Main {
    static final int EXIT_STARTUP_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_STOP_FORCED = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, server -> { });
    }

    /** @param onReady runs once the server is ready, before the ready line is printed (tests use it) */
    static int run(String[] args, Consumer<WharfServer> onReady) {
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
        onReady.accept(server);
        Shutdown shutdown = new Shutdown(server, config.shutdownTimeout(), EXIT_STOP_FORCED);
        // Handling the signals ourselves (rather than only a shutdown hook) lets a clean stop exit 0, not 143.
        // Installed before the ready line, so a SIGTERM sent as soon as it appears is a clean stop.
        Signal.handle(new Signal("TERM"), s -> shutdown.signal("SIGTERM"));
        Signal.handle(new Signal("INT"), s -> shutdown.signal("SIGINT"));
        System.out.println(server.readyLine());
        System.out.flush();
        try {
            shutdown.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        return 0;
    }
}
