package dev.bedrockjobs.cli;

import dev.bedrockjobs.cli.admin.AdminCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "bedrock-jobs",
        mixinStandardHelpOptions = true,
        versionProvider = BedrockJobsCommand.VersionProvider.class,
        description = "Client of the bedrock-jobs API: submit prompts, wait for answers, run batches, and review "
                + "a git diff with one batch of model calls.",
        subcommands = {
            SubmitCommand.class,
            GetCommand.class,
            BatchCommand.class,
            ReviewCommand.class,
            AdminCommand.class,
            CostCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  BEDROCK_JOBS_URL      API base URL (default " + ApiConfig.DEFAULT_URL + ")",
            "  BEDROCK_JOBS_API_KEY  API key. Without it (or --api-key), an API on this",
            "                        machine gets the local stack's .local/dev-api-key",
            "",
            "Exit codes: 0 success; 1 a job or review item failed, or the server did;",
            "2 usage or configuration error."
        })
final class BedrockJobsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    BedrockJobsCommand(CliContext ctx) {}

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bedrock-jobs " + Version.get()};
        }
    }
}
