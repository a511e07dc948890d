package dev.bedrockjobs.local.emulators.sfn;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${Name}} placeholders in a definition, replaced as AWS SAM / CloudFormation {@code DefinitionSubstitutions}
 * replace them: textually, before the JSON is parsed, so that an unquoted {@code ${MaxAttempts}} becomes a number.
 */
public final class DefinitionSubstitutions {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    private DefinitionSubstitutions() {}

    /** The placeholder names a definition uses. */
    public static Set<String> placeholders(String template) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /**
     * Replaces every placeholder by {@code String.valueOf} its value.
     *
     * @throws IllegalArgumentException naming the placeholders without a value (a deployment would not yield a
     *                                  valid definition either)
     */
    public static String apply(String template, Map<String, ?> values) {
        Set<String> missing = new TreeSet<>(placeholders(template));
        missing.removeAll(values.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("No value for the definition placeholders " + missing);
        }
        return PLACEHOLDER
                .matcher(template)
                .replaceAll(match -> Matcher.quoteReplacement(String.valueOf(values.get(match.group(1)))));
    }
}
