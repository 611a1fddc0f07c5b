package io.wharf.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping the process on a signal: the first drains and stops the server on a thread of its own;
 * when that has not finished within {@code shutdown-timeout}, or a second signal arrives, the process
 * halts (a stuck event loop or a close that hangs must never keep Wharf alive), after one line naming
 * where the stop was and which threads were still busy.
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);
    private static final String STOP_THREAD = "wharf-stop";

    private final AutoCloseable server;
    private final Duration timeout;
    private final int forcedExitCode;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile long startedAt;

    Shutdown(AutoCloseable server, Duration timeout, int forcedExitCode) {
        this.server = server;
        this.timeout = timeout;
        this.forcedExitCode = forcedExitCode;
    }

    /** A stop signal: the first starts the stop and its deadline, a second forces the exit at once. */
    void signal(String name) {
        if (!started.compareAndSet(false, true)) {
            halt("second " + name);
            return;
        }
        startedAt = System.nanoTime();
        LOG.info("event=stop-requested signal={} shutdown-timeout={}ms (a second signal exits at once)", name,
                timeout.toMillis());
        Thread stop = new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("event=stop-failed error=\"{}\"", e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, STOP_THREAD);
        stop.start();
        Thread deadline = new Thread(() -> {
            try {
                if (!stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    halt("shutdown-timeout");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "wharf-stop-deadline");
        deadline.setDaemon(true);
        deadline.start();
    }

    /** Waits until the stop has finished (it may never, when the process halts instead). */
    void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void halt(String reason) {
        if (stopped.getCount() == 0) {
            return; // the stop finished meanwhile; the normal exit is on its way
        }
        Map<Thread, StackTraceElement[]> threads = Thread.getAllStackTraces();
        String busy = threads.entrySet().stream()
                .filter(e -> isBusy(e.getKey(), e.getValue()))
                .map(e -> e.getKey().getName()).sorted().collect(Collectors.joining(","));
        String at = threads.entrySet().stream().filter(e -> e.getKey().getName().equals(STOP_THREAD))
                .map(e -> where(e.getValue())).findFirst().orElse("?");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
        LOG.warn("event=stop-forced reason={} after={}ms shutdown-timeout={}ms stopping-in={} busy-threads={}",
                reason.replace(' ', '-'), ms, timeout.toMillis(), at, busy.isEmpty() ? "none" : busy);
        System.err.flush();
        Runtime.getRuntime().halt(forcedExitCode);
    }

    /** Running Java code (not parked, not waiting in a native poll): what keeps a loop from finishing. */
    private static boolean isBusy(Thread thread, StackTraceElement[] stack) {
        return thread != Thread.currentThread() && thread.getState() == Thread.State.RUNNABLE && stack.length > 0
                && !stack[0].isNativeMethod() && !thread.getName().equals(STOP_THREAD);
    }

    /** The innermost Wharf method the stop thread is in, e.g. {@code io.wharf.http.HttpFrontDoor.close}. */
    private static String where(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith("io.wharf.")) {
                return frame.getClassName() + "." + frame.getMethodName();
            }
        }
        return stack.length == 0 ? "?" : stack[0].getClassName() + "." + stack[0].getMethodName();
    }
}
