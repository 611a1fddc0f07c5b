package io.wharf.resp.command;

import java.util.List;

import io.wharf.resp.consume.ConsumerOptions;
import io.wharf.resp.consume.ConsumerSession;

/** Starts a connection's consumer-group member on its first consume. */
@FunctionalInterface
public interface Consumers {
    /** A new member of {@code group} named {@code name}, reading {@code topics}; it reports its own failure to start. */
    ConsumerSession open(String group, String name, List<String> topics, ConsumerOptions options);
}
