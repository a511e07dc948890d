package dev.bedrockjobs.local.emulators.template;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A SAM template read the way CloudFormation reads it: short-form intrinsics ({@code !Ref}, {@code !Sub}, ...) become
 * their long forms, parameters take their defaults unless overridden, and {@link #resolve} evaluates intrinsics
 * against what a local stack knows about each resource. It is how the local stack, and the tests, take routes,
 * queues, table and environment from the one template rather than from a second hand-written list.
 */
public final class SamTemplate {
    private final Map<String, Object> root;
    private final Map<String, Object> parameters;
    private final java.util.Set<String> listParameters = new java.util.HashSet<>();

    private SamTemplate(Map<String, Object> root, Map<String, String> parameterOverrides) {
        this.root = root;
        this.parameters = new LinkedHashMap<>();
        section("Parameters").forEach((name, def) -> {
            Object dflt = def instanceof Map<?, ?> m ? m.get("Default") : null;
            parameters.put(name, dflt == null ? null : String.valueOf(dflt));
            if (def instanceof Map<?, ?> m && String.valueOf(m.get("Type")).equals("CommaDelimitedList")) {
                listParameters.add(name);
            }
        });
        parameters.putAll(parameterOverrides);
    }

    public static SamTemplate load(Path file) {
        return load(file, Map.of());
    }

    @SuppressWarnings("unchecked")
    public static SamTemplate load(Path file, Map<String, String> parameterOverrides) {
        LoaderOptions options = new LoaderOptions();
        Yaml yaml = new Yaml(new IntrinsicConstructor(options));
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new SamTemplate((Map<String, Object>) yaml.load(r), parameterOverrides);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The whole document as read, short-form intrinsics in their long form; for this package's own rewrites. */
    Map<String, Object> document() {
        return root;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> section(String name) {
        Object s = root.get(name);
        return s instanceof Map<?, ?> ? (Map<String, Object>) s : Map.of();
    }

    public Map<String, Object> resources() {
        return section("Resources");
    }

    /** Logical ids of the resources of one type, in template order. */
    public List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources().forEach((id, r) -> {
            if (r instanceof Map<?, ?> m && type.equals(m.get("Type"))) {
                ids.add(id);
            }
        });
        return ids;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> properties(String logicalId) {
        Object r = resources().get(logicalId);
        if (!(r instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("no resource " + logicalId + " in the template");
        }
        Object p = m.get("Properties");
        return p instanceof Map<?, ?> ? (Map<String, Object>) p : Map.of();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> metadata(String logicalId) {
        Object r = resources().get(logicalId);
        Object p = r instanceof Map<?, ?> m ? m.get("Metadata") : null;
        return p instanceof Map<?, ?> ? (Map<String, Object>) p : Map.of();
    }

    /** A function's properties with the template's Globals.Function merged underneath, as SAM does. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> functionProperties(String logicalId) {
        Map<String, Object> globals = (Map<String, Object>) section("Globals").getOrDefault("Function", Map.of());
        return deepMerge(globals, properties(logicalId));
    }

    public Map<String, String> parameters() {
        Map<String, String> out = new LinkedHashMap<>();
        parameters.forEach((k, v) -> {
            if (v != null) {
                out.put(k, String.valueOf(v));
            }
        });
        return out;
    }

    /**
     * Evaluates intrinsics in a value. {@code refs} answers {@code Ref} of a resource (and of {@code X.Alias});
     * {@code attributes} answers {@code Fn::GetAtt} given "LogicalId.Attribute".
     */
    public Object resolve(Object value, Function<String, String> refs, Function<String, String> attributes) {
        return new Resolver(refs, attributes).eval(value);
    }

    public String resolveString(Object value, Function<String, String> refs, Function<String, String> attributes) {
        Object v = resolve(value, refs, attributes);
        return v == null ? null : String.valueOf(v);
    }

    /**
     * The template's {@code Rules} evaluated against the parameter values, as CloudFormation checks them before it
     * creates anything: the {@code AssertDescription} of every assertion that fails where its rule applies. A local
     * stack has no AWS Region or account of its own, so a rule that reads a pseudo parameter ({@code AWS::Region},
     * ...) is left out here; {@link #ruleViolations(Map)} checks it against given values.
     */
    public List<String> ruleViolations() {
        return ruleViolations(Map.of(), false);
    }

    /**
     * Every rule checked, pseudo parameters taken from {@code pseudoParameters} (e.g. {@code AWS::Region} to
     * {@code eu-west-1}); a rule that reads one not given is an error.
     */
    public List<String> ruleViolations(Map<String, String> pseudoParameters) {
        return ruleViolations(pseudoParameters, true);
    }

    private List<String> ruleViolations(Map<String, String> pseudoParameters, boolean everyRule) {
        List<String> violations = new ArrayList<>();
        Resolver parametersOnly = new Resolver(pseudoParameters::get, n -> null);
        section("Rules").forEach((name, rule) -> {
            Map<?, ?> r = (Map<?, ?>) rule;
            try {
                if (r.get("RuleCondition") != null
                        && !Boolean.TRUE.equals(parametersOnly.eval(r.get("RuleCondition")))) {
                    return;
                }
                List<String> failed = new ArrayList<>();
                for (Object assertion : (List<?>) r.get("Assertions")) {
                    Map<?, ?> a = (Map<?, ?>) assertion;
                    if (!Boolean.TRUE.equals(parametersOnly.eval(a.get("Assert")))) {
                        failed.add(name + ": " + a.get("AssertDescription"));
                    }
                }
                violations.addAll(failed);
            } catch (UnknownPseudoParameter e) {
                if (everyRule) {
                    throw new IllegalArgumentException(
                            "rule " + name + " reads " + e.name + ", which was not given", e);
                }
            }
        });
        return violations;
    }

    /**
     * The Regions the template's rules leave these parameter values, as far as rules name Regions: the common part
     * of every {@code Fn::Contains [[region, ...], Ref AWS::Region]} assertion of a rule that applies. Empty when
     * no applicable rule names Regions (any Region will do).
     */
    public List<String> regionsTheRulesAllow() {
        List<String> allowed = null;
        Resolver parametersOnly = new Resolver(n -> null, n -> null);
        for (Object rule : section("Rules").values()) {
            Map<?, ?> r = (Map<?, ?>) rule;
            Object condition = r.get("RuleCondition");
            if (condition != null && !Boolean.TRUE.equals(parametersOnly.eval(condition))) {
                continue;
            }
            for (Object assertion : (List<?>) r.get("Assertions")) {
                if (((Map<?, ?>) assertion).get("Assert") instanceof Map<?, ?> a
                        && a.size() == 1
                        && a.get("Fn::Contains") instanceof List<?> args
                        && args.size() == 2
                        && args.get(0) instanceof List<?> regions
                        && Map.of("Ref", "AWS::Region").equals(args.get(1))) {
                    List<String> these = regions.stream().map(String::valueOf).toList();
                    if (allowed == null) {
                        allowed = new ArrayList<>(these);
                    } else {
                        allowed.retainAll(these);
                    }
                }
            }
        }
        return allowed == null ? List.of() : List.copyOf(allowed);
    }

    public boolean condition(String name) {
        Object c = section("Conditions").get(name);
        if (c == null) {
            throw new IllegalArgumentException("no condition " + name);
        }
        return Boolean.TRUE.equals(new Resolver(n -> null, n -> null).eval(c));
    }

    private final class Resolver {
        private final Function<String, String> refs;
        private final Function<String, String> attributes;

        Resolver(Function<String, String> refs, Function<String, String> attributes) {
            this.refs = refs;
            this.attributes = attributes;
        }

        @SuppressWarnings("unchecked")
        Object eval(Object v) {
            if (v instanceof List<?> list) {
                List<Object> out = new ArrayList<>();
                for (Object item : list) {
                    Object e = eval(item);
                    if (e != NO_VALUE) {
                        out.add(e);
                    }
                }
                return out;
            }
            if (!(v instanceof Map<?, ?> map)) {
                return v;
            }
            if (map.size() == 1) {
                String key = (String) map.keySet().iterator().next();
                Object arg = map.get(key);
                switch (key) {
                    case "Ref":
                        return ref((String) arg);
                    case "Fn::GetAtt":
                        List<Object> parts = arg instanceof List<?> l
                                ? (List<Object>) l
                                : List.of((Object[]) ((String) arg).split("\\.", 2));
                        return required(attributes.apply(parts.get(0) + "." + parts.get(1)), "GetAtt " + parts);
                    case "Fn::Sub":
                        return sub(arg);
                    case "Fn::If": {
                        List<Object> a = (List<Object>) arg;
                        return eval(condition((String) a.get(0)) ? a.get(1) : a.get(2));
                    }
                    case "Fn::Equals": {
                        List<Object> a = (List<Object>) arg;
                        return String.valueOf(eval(a.get(0))).equals(String.valueOf(eval(a.get(1))));
                    }
                    case "Fn::Not":
                        return !Boolean.TRUE.equals(eval(((List<Object>) arg).get(0)));
                    case "Fn::And":
                        return ((List<Object>) arg).stream().allMatch(x -> Boolean.TRUE.equals(eval(x)));
                    case "Fn::Or":
                        return ((List<Object>) arg).stream().anyMatch(x -> Boolean.TRUE.equals(eval(x)));
                    case "Condition":
                        return condition((String) arg);
                    case "Fn::Contains": {
                        List<Object> a = (List<Object>) arg;
                        Object list = eval(a.get(0));
                        String item = String.valueOf(eval(a.get(1)));
                        return list instanceof List<?> l && l.stream().anyMatch(x -> item.equals(String.valueOf(x)));
                    }
                    case "Fn::Join": {
                        List<Object> a = (List<Object>) arg;
                        List<Object> items = (List<Object>) eval(a.get(1));
                        return String.join(
                                (String) a.get(0),
                                items.stream().map(String::valueOf).toList());
                    }
                    case "Fn::Select": {
                        List<Object> a = (List<Object>) arg;
                        return ((List<Object>) eval(a.get(1))).get(Integer.parseInt(String.valueOf(eval(a.get(0)))));
                    }
                    case "Fn::Split": {
                        List<Object> a = (List<Object>) arg;
                        return List.of(
                                (Object[]) String.valueOf(eval(a.get(1))).split(Pattern.quote((String) a.get(0)), -1));
                    }
                    default:
                        if (key.startsWith("Fn::")) {
                            throw new UnsupportedOperationException("intrinsic " + key + " is not supported locally");
                        }
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> {
                Object e = eval(x);
                if (e != NO_VALUE) {
                    out.put((String) k, e);
                }
            });
            return out;
        }

        private Object ref(String name) {
            if (name.equals("AWS::NoValue")) {
                return NO_VALUE;
            }
            if (parameters.containsKey(name)) {
                Object value = parameters.get(name);
                if (listParameters.contains(name) && value != null) {
                    // as CloudFormation reads a CommaDelimitedList: "" is one empty entry, not no entries
                    return List.of((Object[]) String.valueOf(value).split(",", -1)).stream()
                            .map(x -> (Object) ((String) x).strip())
                            .toList();
                }
                return value;
            }
            String value = refs.apply(name);
            if (value == null && name.startsWith("AWS::")) {
                throw new UnknownPseudoParameter(name);
            }
            return required(value, "Ref " + name);
        }

        @SuppressWarnings("unchecked")
        private String sub(Object arg) {
            String text;
            Map<String, Object> vars = Map.of();
            if (arg instanceof List<?> l) {
                text = (String) l.get(0);
                vars = (Map<String, Object>) l.get(1);
            } else {
                text = (String) arg;
            }
            Matcher m = Pattern.compile("\\$\\{([^}!][^}]*)}").matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                Object value;
                if (vars.containsKey(name)) {
                    value = eval(vars.get(name));
                } else if (name.contains(".") && !name.startsWith("AWS::")) {
                    String[] p = name.split("\\.", 2);
                    value = required(attributes.apply(p[0] + "." + p[1]), "Sub " + name);
                } else {
                    value = ref(name);
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(value)));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        private String required(String v, String what) {
            if (v == null) {
                throw new IllegalStateException(what + " cannot be resolved locally");
            }
            return v;
        }
    }

    private static final Object NO_VALUE = new Object();

    /** A pseudo parameter the caller did not give a value for. */
    private static final class UnknownPseudoParameter extends IllegalStateException {
        final String name;

        UnknownPseudoParameter(String name) {
            super("Ref " + name + " cannot be resolved locally");
            this.name = name;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        over.forEach((k, v) -> {
            Object b = out.get(k);
            if (b instanceof Map<?, ?> bm && v instanceof Map<?, ?> vm) {
                out.put(k, deepMerge((Map<String, Object>) bm, (Map<String, Object>) vm));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Maps CloudFormation's short-form tags to the long form, so one evaluator handles both spellings. */
    private static final class IntrinsicConstructor extends SafeConstructor {
        IntrinsicConstructor(LoaderOptions options) {
            super(options);
            for (String fn : List.of("Ref", "Condition")) {
                yamlConstructors.put(new Tag("!" + fn), new LongForm(fn));
            }
            for (String fn : List.of(
                    "GetAtt",
                    "Sub",
                    "If",
                    "Equals",
                    "Not",
                    "And",
                    "Or",
                    "Join",
                    "Select",
                    "Split",
                    "FindInMap",
                    "Base64",
                    "Cidr",
                    "GetAZs",
                    "ImportValue",
                    "Transform",
                    "Contains",
                    "EachMemberEquals",
                    "EachMemberIn",
                    "ValueOf",
                    "ValueOfAll",
                    "RefAll")) {
                yamlConstructors.put(new Tag("!" + fn), new LongForm("Fn::" + fn));
            }
        }

        private final class LongForm extends AbstractConstruct {
            private final String key;

            LongForm(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode s) {
                    value = constructScalar(s);
                } else if (node instanceof SequenceNode s) {
                    value = constructSequence(s);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                return Map.of(key, value);
            }
        }
    }
}
