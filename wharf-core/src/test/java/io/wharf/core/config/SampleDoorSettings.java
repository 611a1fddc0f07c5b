package io.wharf.core.config;

import java.time.Duration;
import java.util.List;

/**
 * A door's settings as a door module declares them, for testing core's binding of door sections
 * without a door on the class path.
 */
record SampleDoorSettings(Integer limit, Duration delay) implements Section {
    /** The section as a door's factory would declare it; printed after the hub. */
    static final DoorSection<SampleDoorSettings> SECTION = new DoorSection<>("sample", SampleDoorSettings.class, 150);

    SampleDoorSettings {
        limit = limit == null ? 10 : limit;
        delay = delay == null ? Duration.ofSeconds(1) : delay;
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (limit < 1) {
            problems.add(key + ".limit: " + limit + " must be positive");
        }
    }
}
