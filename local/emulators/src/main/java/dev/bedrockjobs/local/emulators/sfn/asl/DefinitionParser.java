package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.local.emulators.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns definition JSON into a {@link StateMachineDefinition}, refusing invalid ASL and every construct outside the
 * implemented subset: state types other than Task, Pass, Choice, Succeed and Fail; JSONata and variables;
 * heartbeats; unknown fields anywhere; resources the engine cannot run.
 */
final class DefinitionParser {

    private static final long MAX_SECONDS = 99_999_999L;
    private static final long MAX_DELAY_SECONDS = 31_622_400L;

    private final ResourceCatalog resources;

    DefinitionParser(ResourceCatalog resources) {
        this.resources = resources;
    }

    StateMachineDefinition parse(String json) {
        JsonNode root;
        try {
            root = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new AslDefinitionException(null, null, "the definition is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new AslDefinitionException(null, null, "the definition must be a JSON object");
        }
        FieldReader top = new FieldReader(root, null, "");
        String comment = top.string("Comment", false);
        String startAt = top.string("StartAt", true);
        Integer timeoutSeconds = top.integer("TimeoutSeconds", 1, MAX_SECONDS);
        String version = top.string("Version", false);
        if (version != null && !version.equals("1.0")) {
            throw top.invalid("Version", "only \"1.0\" exists");
        }
        String queryLanguage = top.string("QueryLanguage", false);
        if (queryLanguage != null && !queryLanguage.equals("JSONPath")) {
            throw AslDefinitionException.unsupported(null, "QueryLanguage", "QueryLanguage '" + queryLanguage + "'");
        }
        JsonNode statesNode = top.raw("States");
        if (statesNode == null || !statesNode.isObject() || statesNode.isEmpty()) {
            throw top.invalid("States", "must be a non-empty object");
        }
        top.refuseUnread();

        Map<String, State> states = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = statesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().isEmpty() || entry.getKey().length() > 80) {
                throw new AslDefinitionException(entry.getKey(), null, "a state name must have 1 to 80 characters");
            }
            states.put(entry.getKey(), state(entry.getKey(), entry.getValue()));
        }
        if (!states.containsKey(startAt)) {
            throw new AslDefinitionException(null, "StartAt", "no state named '" + startAt + "'");
        }
        checkTransitions(startAt, states);
        return new StateMachineDefinition(comment, startAt, timeoutSeconds, states);
    }

    private State state(String name, JsonNode node) {
        FieldReader fields = new FieldReader(node, name, "");
        String type = fields.string("Type", true);
        fields.string("Comment", false);
        State state;
        switch (type) {
            case "Task":
                state = task(name, fields);
                break;
            case "Pass":
                state = pass(name, fields);
                break;
            case "Choice":
                state = choice(name, fields);
                break;
            case "Succeed":
                state = new State.Succeed(name, ioPath(fields, "InputPath"), ioPath(fields, "OutputPath"));
                break;
            case "Fail":
                state = new State.Fail(name, fields.string("Error", false), fields.string("Cause", false));
                break;
            case "Wait":
            case "Parallel":
            case "Map":
                throw AslDefinitionException.unsupported(name, "Type", "the state type '" + type + "'");
            default:
                throw new AslDefinitionException(name, "Type", "unknown state type '" + type + "'");
        }
        fields.refuseUnread();
        return state;
    }

    private State.Task task(String name, FieldReader fields) {
        String resource = fields.string("Resource", true);
        IoPath inputPath = ioPath(fields, "InputPath");
        PayloadTemplate parameters = template(fields, "Parameters");
        PayloadTemplate resultSelector = template(fields, "ResultSelector");
        ResultPath resultPath = resultPath(fields, "ResultPath");
        IoPath outputPath = ioPath(fields, "OutputPath");
        Integer timeoutSeconds = fields.integer("TimeoutSeconds", 1, MAX_SECONDS);
        List<Retrier> retriers = retriers(name, fields.raw("Retry"));
        List<Catcher> catchers = catchers(name, fields.raw("Catch"));
        String next = next(name, fields);
        resources.check(name, resource, parameters);
        return new State.Task(
                name,
                resource,
                inputPath,
                parameters,
                resultSelector,
                resultPath,
                outputPath,
                timeoutSeconds,
                retriers,
                catchers,
                next);
    }

    private State.Pass pass(String name, FieldReader fields) {
        return new State.Pass(
                name,
                ioPath(fields, "InputPath"),
                template(fields, "Parameters"),
                fields.raw("Result"),
                resultPath(fields, "ResultPath"),
                ioPath(fields, "OutputPath"),
                next(name, fields));
    }

    private State.Choice choice(String name, FieldReader fields) {
        JsonNode choices = fields.raw("Choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw fields.invalid("Choices", "must be a non-empty array");
        }
        List<State.Rule> rules = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            FieldReader rule = new FieldReader(choices.get(i), name, "Choices[" + i + "].");
            String next = rule.string("Next", true);
            rules.add(new State.Rule(condition(name, rule), next));
        }
        return new State.Choice(
                name,
                ioPath(fields, "InputPath"),
                ioPath(fields, "OutputPath"),
                List.copyOf(rules),
                fields.string("Default", false));
    }

    private Condition condition(String state, FieldReader rule) {
        rule.string("Comment", false);
        List<Condition> found = new ArrayList<>();
        for (String compound : List.of("And", "Or")) {
            JsonNode operands = rule.raw(compound);
            if (operands != null) {
                if (!operands.isArray() || operands.isEmpty()) {
                    throw rule.invalid(compound, "must be a non-empty array of rules");
                }
                List<Condition> conditions = new ArrayList<>();
                for (int i = 0; i < operands.size(); i++) {
                    conditions.add(nestedCondition(state, operands.get(i), rule.location(compound + "[" + i + "].")));
                }
                found.add(
                        compound.equals("And")
                                ? new Condition.And(List.copyOf(conditions))
                                : new Condition.Or(List.copyOf(conditions)));
            }
        }
        JsonNode negated = rule.raw("Not");
        if (negated != null) {
            found.add(new Condition.Not(nestedCondition(state, negated, rule.location("Not."))));
        }
        String variable = rule.string("Variable", false);
        for (Condition.Operator operator : Condition.Operator.values()) {
            JsonNode expected = rule.raw(operator.name());
            if (expected != null) {
                found.add(comparison(rule, variable, operator, expected));
            }
        }
        rule.refuseUnread();
        if (found.size() != 1) {
            throw rule.invalid("", "a rule needs exactly one comparison operator or And/Or/Not, found " + found.size());
        }
        if (variable != null && !(found.get(0) instanceof Condition.Comparison)) {
            throw rule.invalid("Variable", "has no meaning beside And/Or/Not");
        }
        return found.get(0);
    }

    private Condition nestedCondition(String state, JsonNode node, String prefix) {
        FieldReader nested = new FieldReader(node, state, prefix);
        if (nested.has("Next")) {
            throw nested.invalid("Next", "is only allowed on top-level rules");
        }
        return condition(state, nested);
    }

    private static Condition comparison(
            FieldReader rule, String variable, Condition.Operator operator, JsonNode expected) {
        if (variable == null) {
            throw rule.invalid("Variable", "is required beside " + operator);
        }
        boolean typeOk = switch (operator) {
            case StringEquals -> expected.isTextual();
            case NumericEquals, NumericLessThan, NumericGreaterThan, NumericLessThanEquals, NumericGreaterThanEquals ->
                expected.isNumber();
            default -> expected.isBoolean();
        };
        if (!typeOk) {
            throw rule.invalid(operator.name(), "has a value of the wrong type: " + expected);
        }
        return new Condition.Comparison(path(rule, "Variable", variable), operator, expected);
    }

    private static JsonPath path(FieldReader fields, String field, String text) {
        try {
            JsonPath path = JsonPath.parse(text);
            ContextPaths.check(path, fields.state(), fields.location(field));
            return path;
        } catch (IllegalArgumentException e) {
            throw fields.invalid(field, e.getMessage());
        }
    }

    private static IoPath ioPath(FieldReader fields, String field) {
        JsonNode value = fields.raw(field);
        if (value == null) {
            return IoPath.ALL;
        }
        if (value.isNull()) {
            return IoPath.EMPTY;
        }
        if (!value.isTextual()) {
            throw fields.invalid(field, "must be a path string or null");
        }
        return IoPath.of(path(fields, field, value.textValue()));
    }

    private static ResultPath resultPath(FieldReader fields, String field) {
        JsonNode value = fields.raw(field);
        if (value == null) {
            return ResultPath.ROOT;
        }
        if (value.isNull()) {
            return ResultPath.DISCARD;
        }
        if (!value.isTextual()) {
            throw fields.invalid(field, "must be a path string or null");
        }
        try {
            return ResultPath.of(JsonPath.parse(value.textValue()));
        } catch (IllegalArgumentException e) {
            throw fields.invalid(field, e.getMessage());
        }
    }

    private static PayloadTemplate template(FieldReader fields, String field) {
        JsonNode value = fields.raw(field);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw fields.invalid(field, "must be a JSON object");
        }
        return PayloadTemplate.compile(value, fields.state(), fields.location(field));
    }

    private static String next(String state, FieldReader fields) {
        String next = fields.string("Next", false);
        boolean end = fields.isTrue("End");
        if (end == (next != null)) {
            throw new AslDefinitionException(
                    state, next == null ? "End" : "Next", "a state needs exactly one of \"Next\" or \"End\": true");
        }
        return next;
    }

    private static List<Retrier> retriers(String state, JsonNode retry) {
        if (retry == null) {
            return List.of();
        }
        if (!retry.isArray()) {
            throw new AslDefinitionException(state, "Retry", "must be an array");
        }
        List<Retrier> retriers = new ArrayList<>();
        for (int i = 0; i < retry.size(); i++) {
            FieldReader fields = new FieldReader(retry.get(i), state, "Retry[" + i + "].");
            fields.string("Comment", false);
            List<String> errors = errorEquals(fields, i == retry.size() - 1);
            Integer interval = fields.integer("IntervalSeconds", 1, MAX_SECONDS);
            Integer maxAttempts = fields.integer("MaxAttempts", 0, MAX_SECONDS);
            Double backoffRate = fields.number("BackoffRate", 1.0);
            Integer maxDelay = fields.integer("MaxDelaySeconds", 1, MAX_DELAY_SECONDS);
            String jitter = fields.string("JitterStrategy", false);
            JitterStrategy strategy;
            try {
                strategy = jitter == null ? JitterStrategy.NONE : JitterStrategy.valueOf(jitter);
            } catch (IllegalArgumentException e) {
                throw fields.invalid("JitterStrategy", "must be NONE or FULL, not " + jitter);
            }
            fields.refuseUnread();
            retriers.add(new Retrier(
                    errors,
                    interval == null ? Retrier.DEFAULT_INTERVAL_SECONDS : interval,
                    maxAttempts == null ? Retrier.DEFAULT_MAX_ATTEMPTS : maxAttempts,
                    backoffRate == null ? Retrier.DEFAULT_BACKOFF_RATE : backoffRate,
                    maxDelay,
                    strategy));
        }
        return List.copyOf(retriers);
    }

    private static List<Catcher> catchers(String state, JsonNode catchNode) {
        if (catchNode == null) {
            return List.of();
        }
        if (!catchNode.isArray()) {
            throw new AslDefinitionException(state, "Catch", "must be an array");
        }
        List<Catcher> catchers = new ArrayList<>();
        for (int i = 0; i < catchNode.size(); i++) {
            FieldReader fields = new FieldReader(catchNode.get(i), state, "Catch[" + i + "].");
            fields.string("Comment", false);
            List<String> errors = errorEquals(fields, i == catchNode.size() - 1);
            String next = fields.string("Next", true);
            ResultPath resultPath = resultPath(fields, "ResultPath");
            fields.refuseUnread();
            catchers.add(new Catcher(errors, next, resultPath));
        }
        return List.copyOf(catchers);
    }

    /** {@code States.ALL} must be alone in its list and in the last retrier or catcher. */
    private static List<String> errorEquals(FieldReader fields, boolean last) {
        List<String> errors = fields.nonEmptyStrings("ErrorEquals");
        if (errors.contains(ErrorNames.ALL) && (errors.size() > 1 || !last)) {
            throw fields.invalid("ErrorEquals", "States.ALL must appear alone, in the last retrier or catcher");
        }
        return errors;
    }

    /** Every transition names a state, every state is reachable, and some state ends the execution. */
    private static void checkTransitions(String startAt, Map<String, State> states) {
        Set<String> reached = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(startAt));
        boolean terminal = false;
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (!reached.add(name)) {
                continue;
            }
            State state = states.get(name);
            List<String[]> targets = new ArrayList<>();
            if (state instanceof State.Task task) {
                targets.add(new String[] {"Next", task.next()});
                for (int i = 0; i < task.catchers().size(); i++) {
                    targets.add(new String[] {
                        "Catch[" + i + "].Next", task.catchers().get(i).next()
                    });
                }
                terminal |= task.next() == null;
            } else if (state instanceof State.Pass pass) {
                targets.add(new String[] {"Next", pass.next()});
                terminal |= pass.next() == null;
            } else if (state instanceof State.Choice choice) {
                for (int i = 0; i < choice.choices().size(); i++) {
                    targets.add(new String[] {
                        "Choices[" + i + "].Next", choice.choices().get(i).next()
                    });
                }
                targets.add(new String[] {"Default", choice.defaultNext()});
            } else {
                terminal = true;
            }
            for (String[] target : targets) {
                if (target[1] == null) {
                    continue;
                }
                if (!states.containsKey(target[1])) {
                    throw new AslDefinitionException(name, target[0], "no state named '" + target[1] + "'");
                }
                pending.push(target[1]);
            }
        }
        for (String name : states.keySet()) {
            if (!reached.contains(name)) {
                throw new AslDefinitionException(name, null, "the state is not reachable from StartAt");
            }
        }
        if (!terminal) {
            throw new AslDefinitionException(null, "States", "no state ends the execution");
        }
    }
}
