package dev.bedrockjobs.local.emulators.template;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The template as CloudFormation's {@code AWS::LanguageExtensions} transform hands it on to the serverless
 * transform, for chosen parameter values: each {@code Fn::If} replaced by the branch its condition picks, each
 * {@code Ref AWS::NoValue} removed together with the property or list entry that holds it, and the transform itself
 * taken out of {@code Transform} (the serverless transform stays, for the tool that reads the copy to run).
 *
 * <p>It exists for tools that run AWS's SAM translator but not this transform, cfn-lint first: on the template
 * itself they stop at the first {@code Fn::If} inside an {@code HttpApi}'s {@code Auth} (SAM accepts it only once
 * the transform has resolved it, which is why SAM's documentation recommends the transform:
 * docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-intrinsic-functions.html).
 *
 * <p>The copy stays a template that deploys as it is: each chosen value becomes its parameter's {@code Default};
 * the conditions a resource or output still names are kept (with those they use), the others dropped, since nothing
 * refers to them any more; {@code Rules} are kept and must hold for the chosen values, so that a copy never lints a
 * combination CloudFormation would refuse. Resources whose condition is false stay, as they do on AWS: the
 * transform does not remove them, CloudFormation skips them.
 */
public final class LanguageExtensions {
    static final String TRANSFORM = "AWS::LanguageExtensions";
    /** cfn-lint's default Region, where the copies are linted; rules that read AWS::Region see it. */
    static final String REGION = "us-east-1";

    private static final Object NO_VALUE = new Object();

    private final SamTemplate template;

    private LanguageExtensions(SamTemplate template) {
        this.template = template;
    }

    /**
     * The resolved document for {@code values} (parameter name to value, as {@code --parameter-overrides} takes
     * them; the others keep their defaults).
     *
     * @throws IllegalArgumentException for a parameter the template does not declare, or values its rules refuse
     */
    public static Map<String, Object> resolve(Path file, Map<String, String> values) {
        SamTemplate template = SamTemplate.load(file, values);
        Set<String> unknown = new LinkedHashSet<>(values.keySet());
        unknown.removeAll(template.section("Parameters").keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the template has no parameter " + String.join(", ", unknown));
        }
        List<String> violations = template.ruleViolations(Map.of("AWS::Region", REGION));
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("the template's rules refuse " + values + ": " + violations);
        }
        return new LanguageExtensions(template).resolved(values);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resolved(Map<String, String> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        template.document().forEach((section, body) -> {
            switch (section) {
                case "Transform" -> {
                    Object rest = withoutThisTransform(body);
                    if (rest != null) {
                        out.put(section, rest);
                    }
                }
                case "Parameters" -> out.put(section, withDefaults((Map<String, Object>) body, values));
                // conditions and rules read parameters only; which conditions stay is decided once all else is done
                case "Conditions", "Rules" -> out.put(section, copy(body));
                default -> {
                    Object v = eval(body);
                    if (v != NO_VALUE) {
                        out.put(section, v);
                    }
                }
            }
        });
        keepOnlyNamedConditions(out);
        return out;
    }

    private Object eval(Object v) {
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
        if (map.size() == 1 && map.containsKey("Fn::If")) {
            List<?> a = (List<?>) map.get("Fn::If");
            if (a.size() != 3) {
                throw new IllegalArgumentException("Fn::If takes a condition and two values: " + a);
            }
            return eval(template.condition((String) a.get(0)) ? a.get(1) : a.get(2));
        }
        if (map.size() == 1 && "AWS::NoValue".equals(map.get("Ref"))) {
            return NO_VALUE;
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

    /** A deep copy, so that the document written out shares no node (YAML would write a shared one as an alias). */
    private static Object copy(Object v) {
        if (v instanceof List<?> list) {
            return new ArrayList<>(list.stream().map(LanguageExtensions::copy).toList());
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put((String) k, copy(x)));
            return out;
        }
        return v;
    }

    private static Object withoutThisTransform(Object transform) {
        if (transform instanceof List<?> list) {
            List<Object> rest = new ArrayList<>(list);
            rest.remove(TRANSFORM);
            return rest.isEmpty() ? null : rest;
        }
        return TRANSFORM.equals(transform) ? null : transform;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withDefaults(Map<String, Object> parameters, Map<String, String> values) {
        Map<String, Object> out = (Map<String, Object>) copy(parameters);
        values.forEach((name, value) -> {
            Map<String, Object> p = (Map<String, Object>) out.get(name);
            p.put("Default", "Number".equals(p.get("Type")) ? number(name, value) : value);
        });
        return out;
    }

    private static Object number(String name, String value) {
        try {
            BigDecimal n = new BigDecimal(value.strip());
            return n.scale() <= 0 ? (Object) n.longValueExact() : (Object) n.doubleValue();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " is a Number parameter: " + value, e);
        }
    }

    /** Drops the conditions nothing names any more: cfn-lint warns of unused ones (W8001). */
    @SuppressWarnings("unchecked")
    private static void keepOnlyNamedConditions(Map<String, Object> document) {
        Object section = document.get("Conditions");
        if (!(section instanceof Map<?, ?>)) {
            return;
        }
        Map<String, Object> conditions = (Map<String, Object>) section;
        Set<String> named = new LinkedHashSet<>();
        for (String part : List.of("Resources", "Outputs")) {
            Object entries = document.get(part);
            if (entries instanceof Map<?, ?> m) {
                m.values().forEach(e -> {
                    if (e instanceof Map<?, ?> entry && entry.get("Condition") instanceof String c) {
                        named.add(c);
                    }
                });
            }
        }
        List<String> pending = new ArrayList<>(named);
        while (!pending.isEmpty()) {
            conditionsUsedBy(conditions.get(pending.remove(pending.size() - 1)), used -> {
                if (named.add(used)) {
                    pending.add(used);
                }
            });
        }
        conditions.keySet().retainAll(named);
        if (conditions.isEmpty()) {
            document.remove("Conditions");
        }
    }

    private static void conditionsUsedBy(Object v, java.util.function.Consumer<String> sink) {
        if (v instanceof List<?> list) {
            list.forEach(x -> conditionsUsedBy(x, sink));
        } else if (v instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.get("Condition") instanceof String c) {
                sink.accept(c);
            }
            map.values().forEach(x -> conditionsUsedBy(x, sink));
        }
    }

    /** The document as YAML, long-form intrinsics, block style. */
    public static String toYaml(Map<String, Object> document) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setSplitLines(false);
        options.setDereferenceAliases(true);
        return new Yaml(options).dump(document);
    }

    /**
     * Writes one resolved copy per combination: {@code LanguageExtensions <template> <out-dir>}, the combinations
     * on standard input one a line, {@code <name> [Parameter=Value ...]} (values without spaces; {@code #} starts a
     * comment line). Each copy is {@code <out-dir>/<name>.yaml}; a line {@code <name> <copy>} is printed for each.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: LanguageExtensions <template.yaml> <out-dir> < combinations");
            System.exit(64);
        }
        Path file = Path.of(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.strip().split("\\s+");
            if (words[0].isEmpty() || words[0].startsWith("#")) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException(words[0] + ": expected Parameter=Value, got " + words[i]);
                }
                values.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            Path copy = out.resolve(words[0] + ".yaml");
            String header = "# " + file.getFileName() + " as AWS::LanguageExtensions resolves it for: "
                    + (values.isEmpty() ? "the defaults" : String.join(" ", words).substring(words[0].length() + 1))
                    + "\n";
            Files.writeString(copy, header + toYaml(resolve(file, values)), StandardCharsets.UTF_8);
            System.out.println(words[0] + " " + copy);
        }
    }
}
