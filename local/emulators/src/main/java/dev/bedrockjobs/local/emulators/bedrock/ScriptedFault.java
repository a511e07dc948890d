package dev.bedrockjobs.local.emulators.bedrock;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic faults requested by markers inside the prompt, so a test states its scenario in its own input:
 *
 * <ul>
 *   <li>{@code [[throttle:N]]} — the first N calls with this exact prompt (and model) are throttled, later ones
 *       succeed; {@code [[throttle:always]]} throttles every call.</li>
 *   <li>{@code [[hang]]} — the first call hangs (longer than any timeout), then answers ModelTimeoutException;
 *       {@code [[hang:N]]} hangs the first N, {@code [[hang:always]]} every one.</li>
 *   <li>{@code [[fail:KIND]]} — every call fails with KIND: {@code validation}, {@code throttling},
 *       {@code notready}, {@code unavailable}, {@code internal}, {@code timeout}, {@code modelerror},
 *       {@code access}, {@code notfound}, {@code quota}.</li>
 * </ul>
 *
 * The first marker (in prompt order) whose condition holds for this call decides.
 */
record ScriptedFault(BedrockError error, boolean hang) {

    private static final Pattern MARKER = Pattern.compile("\\[\\[(throttle|hang|fail)(?::([A-Za-z0-9]+))?]]");

    static ScriptedFault hangThenTimeout() {
        return new ScriptedFault(BedrockError.modelTimeout(), true);
    }

    static ScriptedFault failWith(BedrockError error) {
        return new ScriptedFault(error, false);
    }

    /**
     * The fault the prompt's markers request for this call.
     *
     * @param callNumber 1 for the first call with this model and prompt
     */
    static Optional<ScriptedFault> forCall(String prompt, int callNumber) {
        if (!prompt.contains("[[")) {
            return Optional.empty();
        }
        Matcher marker = MARKER.matcher(prompt);
        while (marker.find()) {
            String kind = marker.group(1);
            String argument = marker.group(2);
            Optional<ScriptedFault> fault = switch (kind) {
                case "throttle" ->
                    appliesTo(argument, callNumber, 1)
                            ? Optional.of(failWith(BedrockError.throttling()))
                            : Optional.empty();
                case "hang" -> appliesTo(argument, callNumber, 1) ? Optional.of(hangThenTimeout()) : Optional.empty();
                default -> Optional.of(failWith(namedError(argument)));
            };
            if (fault.isPresent()) {
                return fault;
            }
        }
        return Optional.empty();
    }

    /** Whether a count argument ({@code N}, {@code always}, or none meaning {@code defaultCount}) covers the call. */
    private static boolean appliesTo(String argument, int callNumber, int defaultCount) {
        if ("always".equals(argument)) {
            return true;
        }
        int count = argument == null ? defaultCount : parseCount(argument);
        return callNumber <= count;
    }

    private static int parseCount(String argument) {
        try {
            return Integer.parseInt(argument);
        } catch (NumberFormatException e) {
            throw BedrockError.validation(
                    "Bad simulator marker argument '" + argument + "': use a number or 'always'.");
        }
    }

    private static BedrockError namedError(String kind) {
        if (kind == null) {
            throw BedrockError.validation("The simulator marker [[fail:KIND]] needs a KIND.");
        }
        return switch (kind) {
            case "validation" -> BedrockError.validation("The simulated request is invalid ([[fail:validation]]).");
            case "throttling" -> BedrockError.throttling();
            case "notready" -> BedrockError.modelNotReady();
            case "unavailable" -> BedrockError.serviceUnavailable();
            case "internal" -> BedrockError.internal();
            case "timeout" -> BedrockError.modelTimeout();
            case "modelerror" -> BedrockError.modelError();
            case "access" -> BedrockError.accessDenied();
            case "notfound" -> BedrockError.resourceNotFound("The simulated model was not found ([[fail:notfound]]).");
            case "quota" -> BedrockError.serviceQuotaExceeded();
            default ->
                BedrockError.validation("Unknown simulator marker [[fail:" + kind + "]]; kinds: validation, "
                        + "throttling, notready, unavailable, internal, timeout, modelerror, access, notfound, quota.");
        };
    }
}
