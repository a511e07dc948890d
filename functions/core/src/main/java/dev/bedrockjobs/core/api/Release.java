package dev.bedrockjobs.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The release this code was built as: the project version Maven wrote into {@code release.properties}. */
public final class Release {
    private static final String VERSION = load();

    private Release() {}

    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Release.class.getResourceAsStream("/dev/bedrockjobs/core/release.properties")) {
            if (in == null) {
                throw new IllegalStateException("release.properties is missing from the build");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
