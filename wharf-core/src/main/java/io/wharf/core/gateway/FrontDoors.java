package io.wharf.core.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

import io.wharf.core.config.DoorSection;

/** The front door factories on the class path, in start order, and the configuration sections they own. */
public final class FrontDoors {
    private FrontDoors() {
    }

    /** Every registered factory, in ascending {@link FrontDoorFactory#order()} (then name). */
    public static List<FrontDoorFactory<?>> onClassPath() {
        List<FrontDoorFactory<?>> factories = new ArrayList<>();
        ServiceLoader.load(FrontDoorFactory.class).forEach(factories::add);
        factories.sort(Comparator.comparingInt((FrontDoorFactory<?> f) -> f.order()).thenComparing(FrontDoorFactory::name));
        return factories;
    }

    /** The configuration sections of the doors on the class path: what the config loader and printer need. */
    public static List<DoorSection<?>> sections() {
        return onClassPath().stream().<DoorSection<?>>map(FrontDoorFactory::section).toList();
    }
}
