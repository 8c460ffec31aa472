package dev.syscage.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"syscage " + (v == null ? "(development build)" : v)};
    }
}
