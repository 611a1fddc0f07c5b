package io.wharf.resp.command;

import java.util.List;
import java.util.Map;

import io.wharf.core.access.StreamScope;

import io.wharf.resp.consume.ConsumerSession;
import io.wharf.resp.consume.Outlet;

/** Starts a connection's consumer-group member on its first consume. */
@FunctionalInterface
public interface Consumers {
    /**
     * A new member of {@code group} named {@code name}, reading {@code topics} with the consumer
     * settings of {@code configJson} (null for the defaults), sending its records to {@code outlet};
     * it reports its own failure to start. Records of a topic in {@code scopes} that its scope does
     * not admit are never delivered (and count as acknowledged); topics absent from it are unrestricted.
     *
     * @throws io.wharf.resp.protocol.CommandError ({@code CONS}) when the settings are invalid
     */
    ConsumerSession open(String group, String name, List<String> topics, String configJson, Map<String, StreamScope> scopes,
                         Outlet outlet);
}
