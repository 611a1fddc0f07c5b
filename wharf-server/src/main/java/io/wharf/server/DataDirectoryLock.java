package io.wharf.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive claim of one Wharf on its data directory: an OS lock on {@code <data-dir>/wharf.lock},
 * which holds the owner's process id. Taken before anything else in the directory is touched (the
 * embedded broker's controller would otherwise write to the running one's metadata log), released
 * when the server stops or the process dies.
 */
final class DataDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "wharf.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed, takes the lock and checks that the directory is writable.
     *
     * @throws StartupException naming the directory and the holder's process id when another Wharf
     *                          holds it, or why the directory cannot be written
     */
    static DataDirectoryLock acquire(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            // no TRUNCATE_EXISTING: the holder's process id must survive until we own the lock
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process (a second server in one JVM)
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new StartupException("data directory " + dir + " is in use by another Wharf (pid " + holder
                        + "); stop it or give this one another --data-dir", null);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            // the lock file may be writable where the directory is not (the broker creates files in it)
            Files.delete(Files.createTempFile(dir, ".write-check", ".tmp"));
            return new DataDirectoryLock(channel, lock);
        } catch (IOException | SecurityException e) {
            closeQuietly(channel);
            throw new StartupException("data directory " + dir + " is not writable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        return pid.matches("\\d{1,19}") ? pid : "unknown";
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the failure being reported matters more
            }
        }
    }

    /** Releases the lock; the file stays (a stale file without a lock is no claim). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
