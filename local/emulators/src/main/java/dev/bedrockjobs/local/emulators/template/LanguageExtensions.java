package dev.bedrockjobs.local.emulators.template;

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
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

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
 * <p>It goes one step further, to what CloudFormation then does with conditions: a resource or output whose
 * condition is false for the values is left out, the others lose their {@code Condition}, and the {@code Conditions}
 * section goes (nothing names a condition any more). The copy is then exactly what the values create, which is what
 * lets a tool check it in each Region it may be deployed to: a resource of a type some Region lacks is skipped there
 * by CloudFormation when its condition is false, but a linter cannot tell. The copy still deploys as it is: each
 * chosen value becomes its parameter's {@code Default}, and {@code Rules} stay and must hold for the values (in
 * {@link Copy#regions}), so that no copy is of a combination CloudFormation would refuse.
 */
public final class LanguageExtensions {
    static final String TRANSFORM = "AWS::LanguageExtensions";
    /** The Region rules are checked in when they leave any Region (cfn-lint's default Region too). */
    static final String ANY_REGION = "us-east-1";

    private static final Object NO_VALUE = new Object();

    private final SamTemplate template;

    private LanguageExtensions(SamTemplate template) {
        this.template = template;
    }

    /**
     * A resolved copy and the Regions it may be deployed to.
     *
     * @param regions the Regions the template's rules allow for the values, {@link #ANY_REGION} alone when they
     *                name none
     */
    public record Copy(Map<String, Object> document, List<String> regions) {}

    /**
     * The copy for {@code values} (parameter name to value, as {@code --parameter-overrides} takes them; the others
     * keep their defaults).
     *
     * @throws IllegalArgumentException for a parameter the template does not declare, or values its rules refuse
     *                                  in every Region they allow
     */
    public static Copy resolve(Path file, Map<String, String> values) {
        SamTemplate template = SamTemplate.load(file, values);
        Set<String> unknown = new LinkedHashSet<>(values.keySet());
        unknown.removeAll(template.section("Parameters").keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the template has no parameter " + String.join(", ", unknown));
        }
        List<String> regions = template.regionsTheRulesAllow();
        if (regions.isEmpty()) {
            regions = List.of(ANY_REGION);
        }
        List<String> violations = template.ruleViolations(Map.of("AWS::Region", regions.get(0)));
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(
                    "the template's rules refuse " + values + " in " + regions.get(0) + ": " + violations);
        }
        return new Copy(new LanguageExtensions(template).resolved(values), regions);
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
                case "Rules" -> out.put(section, copy(body));
                case "Conditions" -> {
                    // applied below: nothing names a condition once Fn::If and Condition keys are gone
                }
                case "Resources", "Outputs" -> out.put(section, whereConditionHolds((Map<String, Object>) body));
                default -> {
                    Object v = eval(body);
                    if (v != NO_VALUE) {
                        out.put(section, v);
                    }
                }
            }
        });
        return out;
    }

    /** The resources (or outputs) created for the values, resolved, without their Condition. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> whereConditionHolds(Map<String, Object> entries) {
        Map<String, Object> out = new LinkedHashMap<>();
        entries.forEach((id, entry) -> {
            Map<String, Object> e = new LinkedHashMap<>((Map<String, Object>) entry);
            Object condition = e.remove("Condition");
            if (condition == null || template.condition((String) condition)) {
                out.put(id, eval(e));
            }
        });
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
     * comment line). Each copy is {@code <out-dir>/<name>.yaml}; a line {@code <name> <copy> <regions>} is printed
     * for each, the Regions it may be deployed to comma-separated.
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
                    + (values.isEmpty()
                            ? "the defaults"
                            : String.join(" ", words).substring(words[0].length() + 1))
                    + "\n";
            Copy resolved = resolve(file, values);
            Files.writeString(copy, header + toYaml(resolved.document()), StandardCharsets.UTF_8);
            System.out.println(words[0] + " " + copy + " " + String.join(",", resolved.regions()));
        }
    }
}
