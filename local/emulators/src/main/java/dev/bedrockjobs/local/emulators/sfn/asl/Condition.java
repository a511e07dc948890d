package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A Choice rule's boolean expression. Comparisons on a variable whose path selects nothing raise
 * {@code States.Runtime}, as in Step Functions; a value of another type than the operator's simply does not match.
 */
public interface Condition {

    boolean test(JsonNode data, JsonNode contextObject);

    /** The comparison operators implemented; any other is refused at load. */
    enum Operator {
        StringEquals,
        NumericEquals,
        NumericLessThan,
        NumericGreaterThan,
        NumericLessThanEquals,
        NumericGreaterThanEquals,
        BooleanEquals,
        IsPresent,
        IsNull,
        IsString,
        IsNumeric,
        IsBoolean;

        static Operator named(String name) {
            for (Operator operator : values()) {
                if (operator.name().equals(name)) {
                    return operator;
                }
            }
            return null;
        }
    }

    record Comparison(JsonPath variable, Operator operator, JsonNode expected) implements Condition {
        @Override
        public boolean test(JsonNode data, JsonNode contextObject) {
            JsonNode actual = variable.read(data, contextObject).orElse(null);
            if (operator == Operator.IsPresent) {
                return (actual != null) == expected.booleanValue();
            }
            if (actual == null) {
                throw StatesError.runtime("Invalid path '" + variable.text()
                        + "': The choice state's condition path references an invalid value.");
            }
            switch (operator) {
                case IsNull:
                    return actual.isNull() == expected.booleanValue();
                case IsString:
                    return actual.isTextual() == expected.booleanValue();
                case IsNumeric:
                    return actual.isNumber() == expected.booleanValue();
                case IsBoolean:
                    return actual.isBoolean() == expected.booleanValue();
                case StringEquals:
                    return actual.isTextual() && actual.textValue().equals(expected.textValue());
                case BooleanEquals:
                    return actual.isBoolean() && actual.booleanValue() == expected.booleanValue();
                default:
                    return actual.isNumber() && compareNumbers(actual, expected);
            }
        }

        private boolean compareNumbers(JsonNode actual, JsonNode expectedValue) {
            int order = actual.decimalValue().compareTo(expectedValue.decimalValue());
            switch (operator) {
                case NumericEquals:
                    return order == 0;
                case NumericLessThan:
                    return order < 0;
                case NumericGreaterThan:
                    return order > 0;
                case NumericLessThanEquals:
                    return order <= 0;
                case NumericGreaterThanEquals:
                    return order >= 0;
                default:
                    throw new IllegalStateException("not numeric: " + operator);
            }
        }
    }

    record And(List<Condition> all) implements Condition {
        @Override
        public boolean test(JsonNode data, JsonNode contextObject) {
            for (Condition condition : all) {
                if (!condition.test(data, contextObject)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Or(List<Condition> any) implements Condition {
        @Override
        public boolean test(JsonNode data, JsonNode contextObject) {
            for (Condition condition : any) {
                if (condition.test(data, contextObject)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(Condition negated) implements Condition {
        @Override
        public boolean test(JsonNode data, JsonNode contextObject) {
            return !negated.test(data, contextObject);
        }
    }
}
