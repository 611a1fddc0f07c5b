package io.wharf.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Stops reading from a connection while any reason to pause holds (outbound buffer full, too many
 * produce requests awaiting Kafka), so a client that does not read its replies cannot make the
 * server queue more for it. Event loop only.
 */
final class ReadPause {
    /** Why reading is paused; each is set and cleared independently. */
    enum Reason {
        /** The connection's outbound buffer is above its high-water mark. */
        UNWRITABLE,
        /** Too many produce requests of this connection are waiting for Kafka. */
        IN_FLIGHT,
        /** An HTTP request is being answered; the next one waits (no pipelining). */
        BUSY
    }

    private static final AttributeKey<int[]> KEY = AttributeKey.valueOf("wharf.http.read-pause");

    private ReadPause() {
    }

    static void pause(Channel channel, Reason reason) {
        int[] mask = mask(channel);
        mask[0] |= 1 << reason.ordinal();
        channel.config().setAutoRead(false);
    }

    static void resume(Channel channel, Reason reason) {
        int[] mask = mask(channel);
        mask[0] &= ~(1 << reason.ordinal());
        if (mask[0] == 0 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    /** Whether reading is paused for this reason. */
    static boolean paused(Channel channel, Reason reason) {
        return (mask(channel)[0] & 1 << reason.ordinal()) != 0;
    }

    private static int[] mask(Channel channel) {
        int[] mask = channel.attr(KEY).get();
        if (mask == null) {
            mask = new int[1];
            channel.attr(KEY).set(mask);
        }
        return mask;
    }
}
