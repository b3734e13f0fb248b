package dev.revroll;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What the build wrote into the jar: revroll's version (the pom's {@code project.version}, via build.properties). */
public final class Build {

    private static final String VERSION = load().getProperty("version", "dev");

    private Build() {
    }

    /** The version, such as {@code 0.1.0}; {@code dev} when run from classes the build did not filter. */
    public static String version() {
        return VERSION.startsWith("${") ? "dev" : VERSION;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Build.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
