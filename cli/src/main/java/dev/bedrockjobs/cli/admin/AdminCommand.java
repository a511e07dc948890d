package dev.bedrockjobs.cli.admin;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Operator commands that work on a deployment's table and queues directly rather than through the API. */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Operate a deployment with AWS credentials, not an API key: API keys, tenants and their limits "
                + "in its DynamoDB table, and its dead-letter queues.",
        subcommands = {KeysCommand.class, LimitsCommand.class, DlqCommand.class})
public final class AdminCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public AdminCommand(CliContext ctx) {}

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }
}
