package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bedrockjobs.local.emulators.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed intrinsic function call such as {@code States.Format('Hello {}', $.name)}.
 *
 * <p>Implemented: {@code States.Format}, {@code States.StringToJson}, {@code States.JsonToString},
 * {@code States.MathAdd}, {@code States.Array}; any other {@code States.*} name is refused at load. Arguments are
 * single-quoted strings (backslash escapes {@code \' \{ \} \\}), numbers, {@code true}, {@code false}, {@code null},
 * paths ({@code $} or {@code $$}) and nested calls.
 *
 * <p>Choices where the AWS documentation is not explicit: a failing call raises {@code States.Runtime} (terminal,
 * like every data-processing failure here); {@code States.MathAdd} takes integers only, within the 32-bit range
 * the documentation gives for its arguments; {@code States.Format} renders strings as-is, and numbers, booleans and
 * null as their JSON text, and refuses objects and arrays.
 */
public final class Intrinsic {

    private static final Set<String> FUNCTIONS = Set.of("Format", "StringToJson", "JsonToString", "MathAdd", "Array");

    private interface Argument {
        JsonNode value(JsonNode data, JsonNode contextObject);
    }

    /** A string literal, keeping its raw form because {@code States.Format} reads escaped braces from it. */
    private record StringArgument(String raw, String cooked) implements Argument {
        @Override
        public JsonNode value(JsonNode data, JsonNode contextObject) {
            return TextNode.valueOf(cooked);
        }
    }

    private record LiteralArgument(JsonNode literal) implements Argument {
        @Override
        public JsonNode value(JsonNode data, JsonNode contextObject) {
            return literal;
        }
    }

    private record PathArgument(JsonPath path) implements Argument {
        @Override
        public JsonNode value(JsonNode data, JsonNode contextObject) {
            return path.read(data, contextObject)
                    .orElseThrow(() -> StatesError.runtime("The JSONPath '" + path.text()
                            + "' given to an intrinsic function could not be found in the "
                            + (path.isContext() ? "context object" : "input " + IoPath.abbreviate(data))));
        }
    }

    private record CallArgument(Intrinsic call) implements Argument {
        @Override
        public JsonNode value(JsonNode data, JsonNode contextObject) {
            return call.evaluate(data, contextObject);
        }
    }

    private final String expression;
    private final String function;
    private final List<Argument> arguments;

    private Intrinsic(String expression, String function, List<Argument> arguments) {
        this.expression = expression;
        this.function = function;
        this.arguments = arguments;
    }

    /** Whether a {@code .$} value is an intrinsic call rather than a path. */
    static boolean looksLikeCall(String value) {
        return value.startsWith("States.");
    }

    /**
     * @param state  for error messages
     * @param field  for error messages
     * @throws AslDefinitionException for a syntax error, an unknown function or a wrong argument count
     */
    static Intrinsic parse(String expression, String state, String field) {
        Parser parser = new Parser(expression, state, field);
        Intrinsic call = parser.call();
        parser.skipSpaces();
        if (!parser.atEnd()) {
            throw parser.error("unexpected text after the closing parenthesis");
        }
        return call;
    }

    public JsonNode evaluate(JsonNode data, JsonNode contextObject) {
        switch (function) {
            case "Format":
                return format(data, contextObject);
            case "StringToJson": {
                JsonNode text = arguments.get(0).value(data, contextObject);
                if (!text.isTextual()) {
                    throw failure("expects a string, got " + text.getNodeType());
                }
                try {
                    return Json.parse(text.textValue());
                } catch (JsonProcessingException e) {
                    throw failure("cannot parse " + IoPath.abbreviate(text) + " as JSON");
                }
            }
            case "JsonToString":
                return TextNode.valueOf(Json.write(arguments.get(0).value(data, contextObject)));
            case "MathAdd":
                return mathAdd(
                        arguments.get(0).value(data, contextObject),
                        arguments.get(1).value(data, contextObject));
            case "Array": {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                arguments.forEach(argument -> array.add(argument.value(data, contextObject)));
                return array;
            }
            default:
                throw new IllegalStateException("unreachable: parse refuses " + function);
        }
    }

    private JsonNode format(JsonNode data, JsonNode contextObject) {
        Argument first = arguments.get(0);
        String template;
        if (first instanceof StringArgument literal) {
            template = literal.raw();
        } else {
            JsonNode value = first.value(data, contextObject);
            if (!value.isTextual()) {
                throw failure("the template must be a string, got " + value.getNodeType());
            }
            template = value.textValue();
        }
        int placeholders = countPlaceholders(template);
        if (placeholders != arguments.size() - 1) {
            throw failure("the template has " + placeholders + " {} but " + (arguments.size() - 1) + " values follow");
        }
        StringBuilder out = new StringBuilder();
        int next = 1;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\' && i + 1 < template.length()) {
                out.append(template.charAt(++i));
            } else if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                out.append(formatValue(arguments.get(next++).value(data, contextObject)));
                i++;
            } else {
                out.append(c);
            }
        }
        return TextNode.valueOf(out.toString());
    }

    private static int countPlaceholders(String template) {
        int count = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                count++;
                i++;
            }
        }
        return count;
    }

    private String formatValue(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber() || value.isBoolean() || value.isNull()) {
            return Json.write(value);
        }
        throw failure("cannot format a " + value.getNodeType() + " value");
    }

    private JsonNode mathAdd(JsonNode a, JsonNode b) {
        long sum = integer(a).add(integer(b)).longValueExact();
        // An int node when it fits, as Jackson parses small integers, so results compare equal to parsed JSON.
        return sum == (int) sum
                ? JsonNodeFactory.instance.numberNode((int) sum)
                : JsonNodeFactory.instance.numberNode(sum);
    }

    private BigInteger integer(JsonNode value) {
        if (!value.isNumber()) {
            throw failure("expects numbers, got " + value.getNodeType());
        }
        BigDecimal number = value.decimalValue();
        if (number.stripTrailingZeros().scale() > 0) {
            throw failure("expects integers, got " + number.toPlainString());
        }
        BigInteger integer = number.toBigIntegerExact();
        if (integer.bitLength() > 31) {
            throw failure("argument " + integer + " is outside the 32-bit integer range");
        }
        return integer;
    }

    private StatesError failure(String problem) {
        return StatesError.runtime(
                "The intrinsic function " + expression + " failed: States." + function + " " + problem);
    }

    @Override
    public String toString() {
        return expression;
    }

    /** Recursive-descent parser over the call text. */
    private static final class Parser {
        private final String text;
        private final String state;
        private final String field;
        private int position;

        Parser(String text, String state, String field) {
            this.text = text;
            this.state = state;
            this.field = field;
        }

        Intrinsic call() {
            skipSpaces();
            int start = position;
            if (!text.startsWith("States.", position)) {
                throw error("expected a States.* function");
            }
            position += "States.".length();
            while (!atEnd() && Character.isLetter(text.charAt(position))) {
                position++;
            }
            String name = text.substring(start + "States.".length(), position);
            if (!FUNCTIONS.contains(name)) {
                throw AslDefinitionException.unsupported(state, field, "the intrinsic function 'States." + name + "'");
            }
            skipSpaces();
            expect('(');
            List<Argument> arguments = new ArrayList<>();
            skipSpaces();
            if (peek() == ')') {
                position++;
            } else {
                while (true) {
                    arguments.add(argument());
                    skipSpaces();
                    char c = next();
                    if (c == ')') {
                        break;
                    }
                    if (c != ',') {
                        throw error("expected ',' or ')'");
                    }
                }
            }
            Intrinsic call = new Intrinsic(text.substring(start, position), name, List.copyOf(arguments));
            checkArity(call);
            return call;
        }

        private void checkArity(Intrinsic call) {
            int count = call.arguments.size();
            boolean ok = switch (call.function) {
                case "Format" -> count >= 1;
                case "StringToJson", "JsonToString" -> count == 1;
                case "MathAdd" -> count == 2;
                default -> true;
            };
            if (!ok) {
                throw new AslDefinitionException(
                        state, field, "States." + call.function + " does not take " + count + " argument(s)");
            }
            if (call.function.equals("JsonToString") && !(call.arguments.get(0) instanceof PathArgument)) {
                throw new AslDefinitionException(state, field, "States.JsonToString takes a path argument");
            }
            if (call.function.equals("Format")
                    && call.arguments.get(0) instanceof StringArgument template
                    && countPlaceholders(template.raw()) != count - 1) {
                throw new AslDefinitionException(
                        state,
                        field,
                        "States.Format template '" + template.cooked() + "' has " + countPlaceholders(template.raw())
                                + " {} but " + (count - 1) + " values follow");
            }
        }

        private Argument argument() {
            skipSpaces();
            char c = peek();
            if (c == '\'') {
                return string();
            }
            if (c == '$') {
                return path();
            }
            if (text.startsWith("States.", position)) {
                return new CallArgument(call());
            }
            int start = position;
            while (!atEnd() && ",) ".indexOf(text.charAt(position)) < 0) {
                position++;
            }
            String token = text.substring(start, position);
            switch (token) {
                case "true":
                    return new LiteralArgument(BooleanNode.TRUE);
                case "false":
                    return new LiteralArgument(BooleanNode.FALSE);
                case "null":
                    return new LiteralArgument(NullNode.instance);
                default:
                    // Parsed as JSON so that literals get the same node types as numbers read from the input.
                    JsonNode number = null;
                    try {
                        number = Json.parse(token);
                    } catch (JsonProcessingException notANumber) {
                        // reported below
                    }
                    if (number == null || !number.isNumber()) {
                        position = start;
                        throw error("cannot read an argument from '" + token + "'");
                    }
                    return new LiteralArgument(number);
            }
        }

        private Argument string() {
            position++;
            StringBuilder raw = new StringBuilder();
            StringBuilder cooked = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(position++);
                if (c == '\'') {
                    break;
                }
                if (c == '\\') {
                    if (atEnd()) {
                        throw error("dangling backslash");
                    }
                    char escaped = text.charAt(position++);
                    raw.append('\\').append(escaped);
                    cooked.append(escaped);
                } else {
                    raw.append(c);
                    cooked.append(c);
                }
            }
            return new StringArgument(raw.toString(), cooked.toString());
        }

        private Argument path() {
            int start = position;
            char quote = 0;
            while (!atEnd()) {
                char c = text.charAt(position);
                if (quote != 0) {
                    quote = c == quote ? 0 : quote;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == ',' || c == ')' || c == ' ') {
                    break;
                }
                position++;
            }
            String pathText = text.substring(start, position);
            try {
                JsonPath path = JsonPath.parse(pathText);
                ContextPaths.check(path, state, field);
                return new PathArgument(path);
            } catch (IllegalArgumentException e) {
                throw new AslDefinitionException(state, field, "in intrinsic " + text + ": " + e.getMessage());
            }
        }

        void skipSpaces() {
            while (!atEnd() && text.charAt(position) == ' ') {
                position++;
            }
        }

        boolean atEnd() {
            return position >= text.length();
        }

        private char peek() {
            if (atEnd()) {
                throw error("unexpected end");
            }
            return text.charAt(position);
        }

        private char next() {
            char c = peek();
            position++;
            return c;
        }

        private void expect(char expected) {
            if (next() != expected) {
                position--;
                throw error("expected '" + expected + "'");
            }
        }

        AslDefinitionException error(String problem) {
            return new AslDefinitionException(
                    state,
                    field,
                    "invalid intrinsic function " + text + " (" + problem + " at position " + position + ")");
        }
    }
}
