package dev.bedrockjobs.cli;

/** The CLI's version, from the runnable jar's manifest ("dev" when run from classes). */
final class Version {
    private Version() {
    }

    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
