package dev.revroll.cli;

import picocli.CommandLine;

/** Prints the version from the jar manifest (or "dev" when run from classes). */
public class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Revroll.class.getPackage().getImplementationVersion();
        return new String[] {"revroll " + (v == null ? "dev" : v)};
    }
}
