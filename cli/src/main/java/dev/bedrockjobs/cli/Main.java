package dev.bedrockjobs.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the runnable jar (and of the {@code cli/bedrock-jobs} launcher). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(CliContext.system(), args));
    }

    /** Runs one command line with the process's standard streams. */
    public static int run(CliContext ctx, String... args) {
        return commandLine(ctx).execute(args);
    }

    /**
     * The command tree, its commands built with {@code ctx}. Exit codes: 0 success, 1 the work failed (a job or
     * review item failed, the server failed), 2 usage or configuration errors (bad flags, no or refused API key,
     * API unreachable, bad git ref, invalid input file).
     */
    public static CommandLine commandLine(CliContext ctx) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                try {
                    return cls.getDeclaredConstructor(CliContext.class).newInstance(ctx);
                } catch (NoSuchMethodException e) {
                    return defaults.create(cls);
                }
            }
        };
        CommandLine cl = new CommandLine(new BedrockJobsCommand(ctx), factory);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("bedrock-jobs: " + ex.getMessage());
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return CliException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof CliException c) {
                err.println("bedrock-jobs: " + c.getMessage());
                err.flush();
                return c.exitCode();
            }
            err.println("bedrock-jobs: unexpected error: " + ex);
            if (ctx.env("BEDROCK_JOBS_DEBUG") != null) {
                ex.printStackTrace(err);
            } else {
                err.println("(set BEDROCK_JOBS_DEBUG=1 for the stack trace)");
            }
            err.flush();
            return CliException.FAILED;
        });
        return cl;
    }
}
