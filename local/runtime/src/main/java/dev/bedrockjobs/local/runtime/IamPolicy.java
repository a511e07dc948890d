package dev.bedrockjobs.local.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The identity-based policy of one role, as IAM evaluates it for a request: an explicit {@code Deny} that matches wins,
 * else an {@code Allow} that matches allows, else the request is denied implicitly
 * (<a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html">policy
 * evaluation logic</a>).
 *
 * <p>Matching follows the policy grammar: actions compare case-insensitively and resources case-sensitively, both with
 * {@code *} (any run of characters) and {@code ?} (one character). In a resource a wildcard stays inside its
 * colon-separated ARN segment unless a {@code *} ends the segment, which may run on past colons
 * (<a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html">Resource
 * element</a>).
 *
 * <p>What this local evaluation does not take: {@code NotAction}, {@code NotResource} and {@code Condition}. A
 * statement using them is refused when it is read ({@link #statement}), never silently widened or narrowed.
 */
final class IamPolicy {

    enum Effect {
        ALLOW,
        DENY
    }

    /** IAM's three outcomes: only an allow without a matching deny lets the request through. */
    enum Decision {
        ALLOWED,
        IMPLICITLY_DENIED,
        EXPLICITLY_DENIED
    }

    /** One statement: every action with every resource. */
    record Statement(
            Effect effect,
            List<String> actions,
            List<String> resources,
            List<Pattern> actionPatterns,
            List<Pattern> resourcePatterns) {
        Statement(Effect effect, List<String> actions, List<String> resources) {
            this(
                    effect,
                    List.copyOf(actions),
                    List.copyOf(resources),
                    actions.stream().map(IamPolicy::actionPattern).toList(),
                    resources.stream().map(IamPolicy::resourcePattern).toList());
        }

        boolean matches(String action, String resource) {
            return actionPatterns.stream().anyMatch(a -> a.matcher(action).matches())
                    && resourcePatterns.stream()
                            .anyMatch(r -> r.matcher(resource).matches());
        }
    }

    private final List<Statement> statements;
    /** A function calls few distinct action-resource pairs, many times each: each is evaluated once. */
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();

    IamPolicy(List<Statement> statements) {
        this.statements = List.copyOf(statements);
    }

    List<Statement> statements() {
        return statements;
    }

    Decision decide(String action, String resource) {
        return decisions.computeIfAbsent(action + " " + resource, k -> evaluate(action, resource));
    }

    private Decision evaluate(String action, String resource) {
        Decision decision = Decision.IMPLICITLY_DENIED;
        for (Statement s : statements) {
            if (s.matches(action, resource)) {
                if (s.effect() == Effect.DENY) {
                    return Decision.EXPLICITLY_DENIED;
                }
                decision = Decision.ALLOWED;
            }
        }
        return decision;
    }

    boolean allows(String action, String resource) {
        return decide(action, resource) == Decision.ALLOWED;
    }

    /**
     * One statement of a resolved policy document ({@code Effect}, {@code Action}, {@code Resource}; each a string or
     * a list of strings).
     *
     * @param where names the policy in an error, e.g. the function it belongs to
     */
    static Statement statement(Map<?, ?> s, String where) {
        for (Object key : s.keySet()) {
            if (!List.of("Effect", "Action", "Resource", "Sid").contains(key)) {
                throw new IllegalArgumentException(where + ": a statement with " + key + " is not evaluated locally; "
                        + "write it with Effect, Action and Resource only, or run with --iam off");
            }
        }
        Effect effect = switch (String.valueOf(s.get("Effect"))) {
            case "Allow" -> Effect.ALLOW;
            case "Deny" -> Effect.DENY;
            default -> throw new IllegalArgumentException(where + ": Effect must be Allow or Deny: " + s);
        };
        return new Statement(effect, strings(s.get("Action"), where), strings(s.get("Resource"), where));
    }

    private static List<String> strings(Object value, String where) {
        List<String> out = new ArrayList<>();
        if (value instanceof String text) {
            out.add(text);
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                out.add(String.valueOf(item));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(where + ": a statement needs an Action and a Resource");
        }
        return out;
    }

    static Pattern actionPattern(String action) {
        return Pattern.compile(glob(action, false), Pattern.CASE_INSENSITIVE);
    }

    static Pattern resourcePattern(String resource) {
        return Pattern.compile(glob(resource, true));
    }

    private static String glob(String pattern, boolean arn) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '*' && c != '?') {
                literal.append(c);
                continue;
            }
            if (!literal.isEmpty()) {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
            }
            boolean endsSegment = i + 1 == pattern.length() || pattern.charAt(i + 1) == ':';
            if (c == '?') {
                regex.append(arn ? "[^:]" : ".");
            } else {
                regex.append(!arn || endsSegment ? ".*" : "[^:]*");
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Statement s : statements) {
            sb.append(s.effect().name().toLowerCase(Locale.ROOT))
                    .append(' ')
                    .append(s.actions())
                    .append(" on ")
                    .append(s.resources())
                    .append('\n');
        }
        return sb.toString();
    }
}
