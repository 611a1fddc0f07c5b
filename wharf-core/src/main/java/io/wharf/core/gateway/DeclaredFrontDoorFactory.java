package io.wharf.core.gateway;

import java.util.Optional;

import io.wharf.core.config.Section;

/**
 * A {@link FrontDoorFactory} declared by its door's name, start order and settings type, which
 * creates its door when the door's settings enable it.
 *
 * @param <S> the door's settings type
 */
public abstract class DeclaredFrontDoorFactory<S extends Section> implements FrontDoorFactory<S> {
    private final String name;
    private final int order;
    private final Class<S> settingsType;

    /** The values {@link #name()}, {@link #order()} and {@link #settingsType()} return. */
    protected DeclaredFrontDoorFactory(String name, int order, Class<S> settingsType) {
        this.name = name;
        this.order = order;
        this.settingsType = settingsType;
    }

    /** Whether the door runs with these settings. */
    protected abstract boolean enabled(S settings);

    /** The door, for a gateway whose settings enable it. */
    protected abstract FrontDoor door(GatewayContext context);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int order() {
        return order;
    }

    @Override
    public final Class<S> settingsType() {
        return settingsType;
    }

    @Override
    public final Optional<FrontDoor> create(GatewayContext context) {
        return enabled(context.config().section(settingsType)) ? Optional.of(door(context)) : Optional.empty();
    }
}
