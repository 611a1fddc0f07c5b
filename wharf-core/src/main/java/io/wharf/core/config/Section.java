package io.wharf.core.config;

import java.util.List;

/** A section of the configuration that can say what is wrong with its values. */
public interface Section {
    /**
     * Adds one line per bad value, each starting with the value's full key.
     *
     * @param key      this section's key in the file, e.g. {@code resp}
     * @param problems where to add the lines
     */
    void problems(String key, List<String> problems);
}
