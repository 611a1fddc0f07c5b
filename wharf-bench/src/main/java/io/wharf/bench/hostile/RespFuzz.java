package io.wharf.bench.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/**
 * RESP fuzzing: many connections sending random bytes, garbled frames, huge claimed lengths, bad
 * types and valid commands with bad arguments; each connection sends a burst, then reconnects.
 * Seeded, so every run sends the same frames.
 */
final class RespFuzz extends Attack {
    private static final int FRAMES_PER_CONNECTION = 50;
    private final int connections;
    private final int framesPerSecond;

    RespFuzz(int connections, int framesPerSecond) {
        this.connections = connections;
        this.framesPerSecond = framesPerSecond;
    }

    @Override
    String name() {
        return "fuzz";
    }

    @Override
    String description() {
        return connections + " RESP connections x " + framesPerSecond + " random/garbled frames/s (huge claimed lengths, bad types,"
                + " nested arrays, unknown commands, bad arguments), reconnecting every " + FRAMES_PER_CONNECTION + " frames";
    }

    @Override
    protected void launch() {
        for (int i = 0; i < connections; i++) {
            long seed = 11L * 1_000_003 + i;
            spawn("fuzz-" + i, () -> fuzz(new Random(seed)));
        }
    }

    private void fuzz(Random random) throws IOException, InterruptedException {
        long interval = 1_000_000_000L / Math.max(1, framesPerSecond);
        while (running()) {
            Conn c;
            try {
                c = connect("fuzz", target.respPort(), 0);
            } catch (IOException e) {
                pause(100_000_000L);
                continue;
            }
            tally.add("connections");
            Thread reader = new Thread(() -> readReplies(c), "hostile-fuzz-reader");
            reader.setDaemon(true);
            reader.start();
            OutputStream out = c.socket.getOutputStream();
            try {
                for (int f = 0; f < FRAMES_PER_CONNECTION && running() && !c.serverClosed; f++) {
                    out.write(frame(random));
                    out.flush();
                    tally.add("frames sent");
                    pause(interval);
                }
            } catch (IOException e) {
                serverClosed(c, "reset by Wharf");
            }
            if (running()) {
                c.closeByClient();
            }
        }
    }

    /** One hostile frame. */
    static byte[] frame(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> {
                byte[] b = new byte[1 + r.nextInt(512)];
                r.nextBytes(b);
                yield b;
            }
            case 1 -> ascii("*" + (r.nextBoolean() ? Long.MAX_VALUE : 2_147_483_648L + r.nextInt(1000)) + "\r\n");
            case 2 -> ascii("*2\r\n$4\r\nPING\r\n$" + (r.nextBoolean() ? "99999999999" : "-7") + "\r\n");
            case 3 -> ascii("*" + (r.nextBoolean() ? "-5" : "abc") + "\r\n$4\r\nPING\r\n");
            case 4 -> ascii("*2\r\n:12\r\n#t\r\n");
            case 5 -> ascii("*1\r\n%1\r\n+a\r\n+b\r\n");
            case 6 -> ascii("*1\r\n" + "*1\r\n".repeat(1 + r.nextInt(64)) + "$4\r\nPING\r\n");
            case 7 -> ascii("PING \"unterminated\r\n\u0000\u0001\u0002\r\n");
            case 8 -> command("FOOBAR" + r.nextInt(100), "a", "b");
            case 9 -> command("RPUSHX", "notatopic!" + r.nextInt(), "x");
            case 10 -> command("BLMPOP", "abc", "1", "topics:x", "LEFT", "COUNT", String.valueOf(r.nextInt()));
            case 11 -> command("HELLO", String.valueOf(r.nextInt(10)), "AUTH", "u", "p");
            case 12 -> ascii("a".repeat(1 + r.nextInt(80_000)));
            case 13 -> ascii("$" + r.nextInt(100) + "\r\nhello\r\n");
            case 14 -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(ascii("*3\r\n$6\r\nRPUSHX\r\n$" + (10 + r.nextInt(5)) + "\r\ntopics:"));
                byte[] junk = new byte[r.nextInt(20)];
                r.nextBytes(junk);
                b.writeBytes(junk);
                yield b.toByteArray();
            }
            default -> command("CLIENT", "SETNAME", "g" + r.nextInt(1000) + ":" + "\r\n".repeat(r.nextInt(3)) + r.nextInt());
        };
    }
}
