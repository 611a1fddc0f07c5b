package io.wharf.bench.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Linux's view of every TCP socket on this host ({@code /proc/net/tcp} and {@code tcp6}), to tell
 * whether Wharf still holds a hostile connection open without reading from it: a client that never
 * reads cannot see a FIN queued behind the bytes it never took, but the server's end of the socket
 * leaves ESTABLISHED as soon as Wharf closes it.
 */
final class TcpStates {
    private static final int ESTABLISHED = 0x01;

    /** State by (server port, client port) of the server's end of each connection. */
    private final Map<Long, Integer> serverEnds;

    private TcpStates(Map<Long, Integer> serverEnds) {
        this.serverEnds = serverEnds;
    }

    /** A snapshot of the sockets whose local port is one of {@code serverPorts}. */
    static TcpStates read(int... serverPorts) {
        Map<Long, Integer> ends = new HashMap<>();
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4 || !f[1].contains(":")) {
                        continue;
                    }
                    int local = port(f[1]);
                    for (int p : serverPorts) {
                        if (p == local) {
                            ends.put(key(local, port(f[2])), Integer.parseInt(f[3], 16));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc (not Linux) or no IPv6: fewer sockets known, counted as closed
            }
        }
        return new TcpStates(ends);
    }

    /** Whether the server's end of the connection from {@code clientPort} to {@code serverPort} is still established. */
    boolean open(int serverPort, int clientPort) {
        Integer state = serverEnds.get(key(serverPort, clientPort));
        return state != null && state == ESTABLISHED;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    private static long key(int serverPort, int clientPort) {
        return ((long) serverPort << 16) | clientPort;
    }
}
