package io.wharf.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark starts from its own class path, so what it measures does not share the
 * benchmark's heap or threads. The child takes commands as lines on stdin and answers with lines
 * that start with an agreed prefix on stdout; everything else it prints goes to a log file.
 */
public final class ChildJvm {
    private final String name;
    private final String answerPrefix;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;

    private ChildJvm(String name, String answerPrefix, Process process, Path log) {
        this.name = name;
        this.answerPrefix = answerPrefix;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code java <jvmArgs> -cp <this class path> <main> <args>}.
     *
     * @param name         what the child is, for messages and its log file's name
     * @param answerPrefix how the child's answers start (not part of what {@link #await} returns)
     */
    public static ChildJvm start(String name, Class<?> main, List<String> jvmArgs, List<String> args,
                                 String answerPrefix) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Path log = Files.createTempFile("wharf-bench-" + name.replace(' ', '-'), ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new ChildJvm(name, answerPrefix, process, log);
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var logFile = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(answerPrefix)) {
                    answers.add(line.substring(answerPrefix.length()));
                } else {
                    logFile.write(line);
                    logFile.newLine();
                    logFile.flush();
                }
            }
        } catch (IOException e) {
            // the child ended
        }
    }

    /** Sends one command line. */
    public void send(String command) {
        commands.println(command);
    }

    /** Waits for the answer starting with {@code prefix}, skipping others; returns the rest of it, trimmed. */
    public String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = answers.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("the " + name + " did not answer '" + prefix.trim() + "' in time"
                        + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** Where the child's other output goes. */
    public Path log() {
        return log;
    }

    /** Sends {@code quit}, closes its stdin and waits up to {@code timeout} before killing it. */
    public void stop(Duration timeout) {
        commands.println("quit");
        commands.close();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
