package dev.revroll.cli;

import dev.revroll.Build;
import picocli.CommandLine;

/** {@code --version}: revroll's version from the build ({@link Build}) and the Java running it. */
public class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
                "revroll " + Build.version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
    }
}
