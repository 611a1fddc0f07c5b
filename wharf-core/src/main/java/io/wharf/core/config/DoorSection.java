package io.wharf.core.config;

import java.util.Objects;

/**
 * A section of the configuration file that a front door owns: its key, the settings type the
 * section binds to (absent keys take the type's defaults, as an empty mapping would) and where it
 * appears among the sections (core's {@code hub} section sits at {@link WharfConfig#HUB_SECTION_ORDER}).
 *
 * @param key   the section's key in the file, e.g. {@code resp}
 * @param type  the record the section binds to
 * @param order where the section is printed and validated; lower first
 * @param <S>   the settings type
 */
public record DoorSection<S extends Section>(String key, Class<S> type, int order) {
    public DoorSection {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
    }
}
