package dev.bedrockjobs.cli;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/** The model tiers of the API ({@code fast}, {@code standard}, {@code reasoning}), as a picocli converter. */
public final class ModelTier implements CommandLine.ITypeConverter<String> {
    static final List<String> TIERS = List.of("fast", "standard", "reasoning");
    static final String NAMES = "fast, standard, reasoning";

    static boolean isTier(String s) {
        return TIERS.contains(s);
    }

    @Override
    public String convert(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (!isTier(v)) {
            throw new CommandLine.TypeConversionException("expected one of " + NAMES + ", not '" + value + "'");
        }
        return v;
    }

    /** The candidates picocli shows in help and completion. */
    public static final class Candidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return TIERS.iterator();
        }
    }
}
