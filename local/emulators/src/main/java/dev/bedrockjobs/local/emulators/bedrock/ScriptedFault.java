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
 *   <li>{@code [[midstream:N]]} — InvokeModelWithResponseStream only: the first call's stream delivers N chunks, then
 *       fails with a modelStreamErrorException event; {@code [[midstream:N:KIND]]} fails with KIND instead:
 *       {@code modelstream}, {@code throttling}, {@code internal}, {@code timeout}, {@code validation},
 *       {@code unavailable} (the exceptions a Bedrock response stream can carry); {@code [[midstream:N:KIND:M]]}
 *       breaks the first M calls, {@code [[midstream:N:KIND:always]]} every one. A stream shorter than N + 1 chunks
 *       fails before its last chunk, so a scripted stream never completes. InvokeModel ignores the marker.</li>
 * </ul>
 *
 * The throttle, hang and fail markers act before the first chunk of a stream, where Bedrock answers an ordinary HTTP
 * error. The first marker (in prompt order) whose condition holds for this call decides.
 */
record ScriptedFault(BedrockError error, boolean hang) {

    private static final Pattern MARKER = Pattern.compile("\\[\\[(throttle|hang|fail|midstream)((?::[A-Za-z0-9]+)*)]]");

    /**
     * A stream that breaks after {@code afterChunks} chunks with {@code error}, sent as an event-stream exception.
     */
    record MidStream(int afterChunks, BedrockError error) {}

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
            if (kind.equals("midstream")) {
                continue;
            }
            String[] arguments = arguments(marker.group(2));
            if (arguments.length > 1) {
                throw BedrockError.validation(
                        "Bad simulator marker " + marker.group() + ": [[" + kind + "]] takes at most one argument.");
            }
            String argument = arguments.length == 0 ? null : arguments[0];
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

    /**
     * The mid-stream fault the prompt's {@code [[midstream...]]} markers request for this streaming call.
     *
     * @param callNumber 1 for the first call with this model and prompt
     */
    static Optional<MidStream> midStreamForCall(String prompt, int callNumber) {
        if (!prompt.contains("[[midstream")) {
            return Optional.empty();
        }
        Matcher marker = MARKER.matcher(prompt);
        while (marker.find()) {
            if (!marker.group(1).equals("midstream")) {
                continue;
            }
            String[] arguments = arguments(marker.group(2));
            if (arguments.length == 0 || arguments.length > 3) {
                throw BedrockError.validation("Bad simulator marker " + marker.group()
                        + ": use [[midstream:N]], [[midstream:N:KIND]] or [[midstream:N:KIND:M]].");
            }
            int afterChunks = parseCount(arguments[0]);
            BedrockError error = streamError(arguments.length > 1 ? arguments[1] : "modelstream");
            if (appliesTo(arguments.length > 2 ? arguments[2] : null, callNumber, 1)) {
                return Optional.of(new MidStream(afterChunks, error));
            }
        }
        return Optional.empty();
    }

    /** The colon-separated arguments of a marker, {@code ":a:b"} giving {@code [a, b]}. */
    private static String[] arguments(String group) {
        return group.isEmpty() ? new String[0] : group.substring(1).split(":");
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

    private static BedrockError streamError(String kind) {
        return switch (kind) {
            case "modelstream" -> BedrockError.modelStreamError();
            case "throttling" -> BedrockError.throttling();
            case "internal" -> BedrockError.internal();
            case "timeout" -> BedrockError.modelTimeout();
            case "validation" ->
                BedrockError.validation("The simulated stream was refused ([[midstream:N:validation]]).");
            case "unavailable" -> BedrockError.serviceUnavailable();
            // refused up front, so a mistyped script fails the call instead of streaming a fault nobody asked for
            default ->
                throw BedrockError.validation("Unknown simulator marker kind [[midstream:N:" + kind + "]]; kinds: "
                        + "modelstream, throttling, internal, timeout, validation, unavailable.");
        };
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
