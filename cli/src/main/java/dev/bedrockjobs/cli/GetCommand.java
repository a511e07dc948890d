package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "get",
        mixinStandardHelpOptions = true,
        description = {
            "Show a job: its status, tokens, cost, and the answer once there is one.",
            "With --follow, print the answer as it is written instead, then nothing else.",
            "Exit 1 if the job failed or was canceled."
        })
final class GetCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "the job id")
    String id;

    @Option(names = "--wait", description = "wait until the job is finished")
    boolean await;

    @Option(names = "--json", description = "print the job view as JSON")
    boolean json;

    @Option(
            names = "--follow",
            description = "print the answer as it is written, until the job ends (a job that does not stream its "
                    + "answer shows it whole when it is done)")
    boolean follow;

    GetCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ApiClient client = api.client(ctx, spec.commandLine().getErr());
        if (follow) {
            return Jobs.follow(client, id, out, spec.commandLine().getErr());
        }
        JsonNode job = await ? Jobs.await(client, id, ctx.sleeper()) : client.getJob(id, 0);
        out.print(json ? Json.pretty(job) + System.lineSeparator() : Jobs.human(job));
        out.flush();
        String status = Json.text(job, "status");
        return "failed".equals(status) || "canceled".equals(status) ? CliException.FAILED : 0;
    }
}
