package dev.bedrockjobs.cli.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Operator commands: they talk to the stack's queues and table with AWS credentials, not to the API. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Operator commands against the stack's queues and table (AWS credentials, not an API key).",
        subcommands = {DlqCommand.class})
public final class AdminCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return dev.bedrockjobs.cli.CliException.USAGE;
    }
}
