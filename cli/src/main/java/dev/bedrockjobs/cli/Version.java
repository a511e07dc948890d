package dev.bedrockjobs.cli;

import dev.bedrockjobs.core.api.Release;

/** The CLI's version: the release it was built as, the same one the API's {@code /healthz} reports. */
final class Version {
    private Version() {}

    static String get() {
        return Release.version();
    }
}
