package io.wharf.server;

import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code --version}, from the jar's manifest. */
final class WharfVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = WharfVersion.class.getPackage().getImplementationVersion();
        return new String[] {"Wharf " + (v == null ? "(development build)" : v)};
    }
}
