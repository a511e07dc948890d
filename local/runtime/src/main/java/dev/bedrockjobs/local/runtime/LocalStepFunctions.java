package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.local.emulators.sfn.DefinitionSubstitutions;
import dev.bedrockjobs.local.emulators.sfn.StateMachine;
import dev.bedrockjobs.local.emulators.sfn.StateMachineType;
import dev.bedrockjobs.local.emulators.sfn.StepFunctionsServer;
import dev.bedrockjobs.local.emulators.sfn.StepFunctionsService;
import dev.bedrockjobs.local.emulators.sfn.engine.StepFunctionsEngine;
import dev.bedrockjobs.local.emulators.sfn.engine.TaskResource;
import dev.bedrockjobs.local.emulators.sfn.lambda.LambdaInvokeResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The local Step Functions: the engine with the Bedrock and Lambda task resources, its JSON API server, and every
 * {@code AWS::Serverless::StateMachine} of the template created in it as SAM would deploy it (definition file,
 * {@code DefinitionSubstitutions} resolved from the template, type), its ARN registered for {@code !Ref}.
 */
final class LocalStepFunctions implements AutoCloseable {
    private final StepFunctionsEngine engine;
    private final StepFunctionsService service;
    private final StepFunctionsServer server;

    private LocalStepFunctions(StepFunctionsEngine engine, StepFunctionsService service, StepFunctionsServer server) {
        this.engine = engine;
        this.service = service;
        this.server = server;
    }

    /** @param lambda runs the template's functions for {@code lambda:invoke} tasks */
    static LocalStepFunctions start(LocalBedrock bedrock, TemplateLambdaInvoker lambda) {
        return start(bedrock.resource(), new LambdaInvokeResource(lambda));
    }

    static LocalStepFunctions start(TaskResource... resources) {
        StepFunctionsEngine.Builder builder = StepFunctionsEngine.builder();
        for (TaskResource resource : resources) {
            builder.resource(resource);
        }
        StepFunctionsEngine engine = builder.build();
        StepFunctionsService service = new StepFunctionsService(engine);
        return new LocalStepFunctions(engine, service, new StepFunctionsServer(service).start());
    }

    URI endpoint() {
        return server.endpoint();
    }

    /** Creates the template's state machines; their definitions are refused loudly if the engine cannot run them. */
    void createFromTemplate(LocalResources resources, Path templateDirectory) {
        for (String id : resources.template().resourcesOfType("AWS::Serverless::StateMachine")) {
            Map<String, Object> p = resources.template().properties(id);
            String name = p.get("Name") == null ? id : resources.resolveString(p.get("Name"));
            StateMachineType type = p.get("Type") == null
                    ? StateMachineType.STANDARD
                    : StateMachineType.valueOf(
                            resources.resolveString(p.get("Type")).toUpperCase(Locale.ROOT));
            Map<String, String> substitutions = new LinkedHashMap<>();
            if (p.get("DefinitionSubstitutions") instanceof Map<?, ?> subs) {
                ((Map<?, ?>) resources.resolve(subs))
                        .forEach((k, v) -> substitutions.put((String) k, String.valueOf(v)));
            }
            String definition = DefinitionSubstitutions.apply(definitionText(id, p, templateDirectory), substitutions);
            // its model calls are signed as this role, and they and its function invocations are checked against the
            // state machine's Policies
            String role = LocalResources.roleArn(LocalResources.roleName(id));
            StateMachine machine = service.createStateMachine(name, definition, role, type);
            resources.putRef(id, machine.arn());
            resources.putAttribute(id, "Arn", machine.arn());
            resources.putAttribute(id, "Name", machine.name());
        }
    }

    private static String definitionText(String id, Map<String, Object> p, Path templateDirectory) {
        if (p.get("Definition") != null) {
            return dev.bedrockjobs.core.domain.Json.write(p.get("Definition"));
        }
        if (!(p.get("DefinitionUri") instanceof String uri)) {
            throw new IllegalStateException(
                    id + ": only a local DefinitionUri file or an inline Definition can be " + "deployed locally");
        }
        Path file = templateDirectory.resolve(uri);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(id + ": cannot read " + file, e);
        }
    }

    @Override
    public void close() {
        server.close();
        service.close();
        engine.close();
    }
}
