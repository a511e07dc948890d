package dev.bedrockjobs.cli.admin;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import dev.bedrockjobs.core.admin.KeyAdmin;
import dev.bedrockjobs.core.domain.ApiKey;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code admin keys create|list|disable|rotate-webhook-secret}. A secret (API key or webhook secret) is printed once,
 * by the command that makes it; listing shows key ids, never hashes or secrets.
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Create, list and disable API keys; rotate a tenant's webhook secret.",
        subcommands = {
            KeysCommand.Create.class,
            KeysCommand.ListKeys.class,
            KeysCommand.Disable.class,
            KeysCommand.RotateWebhookSecret.class
        })
public final class KeysCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public KeysCommand(CliContext ctx) {}

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    /** Runs {@code work} against the chosen table, turning bad input and AWS failures into one-line errors. */
    static <T> T withAdmin(CliContext ctx, TableOptions table, Function<KeyAdmin, T> work) {
        return table.withTenants(ctx, c -> work.apply(new KeyAdmin(c.apiKeys(), c.tenants(), Clock.systemUTC())));
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Create an API key for a tenant (and the tenant, with its webhook secret, if new).",
                "The key and a new tenant's webhook secret are printed once; only the key's hash is stored."
            })
    public static final class Create implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        TableOptions table;

        @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "the tenant id")
        String tenant;

        @Option(names = "--name", paramLabel = "NAME", description = "what the key is for (shown by list)")
        String name;

        public Create(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            KeyAdmin.CreatedKey k = withAdmin(ctx, table, admin -> admin.create(tenant, name));
            PrintWriter out = spec.commandLine().getOut();
            out.println("Created " + k.keyId() + " for tenant " + k.tenantId()
                    + (k.tenantCreated() ? " (new tenant)" : "") + ".");
            out.println("API key (shown once; send it as 'Authorization: Bearer <key>'):");
            out.println("  " + k.secret());
            if (k.tenantCreated()) {
                out.println("Webhook secret of " + k.tenantId() + " (shown once; verifies webhook signatures):");
                out.println("  " + k.webhookSecret());
            } else {
                out.println("The tenant's webhook secret is unchanged (rotate-webhook-secret makes a new one).");
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List API keys: id, tenant, name, status, creation time. Never secrets or hashes.")
    public static final class ListKeys implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        TableOptions table;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "only this tenant's keys")
        String tenant;

        public ListKeys(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            List<ApiKey> keys = withAdmin(ctx, table, admin -> admin.list(tenant));
            PrintWriter out = spec.commandLine().getOut();
            String format = "%-16s  %-24s  %-20s  %-8s  %s%n";
            out.printf(format, "KEY ID", "TENANT", "NAME", "STATUS", "CREATED");
            for (ApiKey k : keys) {
                out.printf(
                        format,
                        k.keyId(),
                        k.tenantId(),
                        k.name() == null ? "-" : k.name(),
                        k.disabled() ? "disabled" : "active",
                        k.createdAt());
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "disable",
            mixinStandardHelpOptions = true,
            description = {
                "Disable an API key by its id (see list).",
                "API Gateway may keep answering from its authorizer cache for up to AuthorizerCacheSeconds."
            })
    public static final class Disable implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        TableOptions table;

        @Parameters(index = "0", paramLabel = "KEY_ID", description = "the key's id, key_ followed by 12 hex digits")
        String keyId;

        public Disable(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            ApiKey k = withAdmin(ctx, table, admin -> admin.disable(keyId))
                    .orElseThrow(() -> new CliException(CliException.FAILED, "no key " + keyId));
            PrintWriter out = spec.commandLine().getOut();
            out.println("Disabled " + k.keyId() + " of tenant " + k.tenantId()
                    + "; it stops working once the authorizer cache expires (AuthorizerCacheSeconds).");
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "rotate-webhook-secret",
            mixinStandardHelpOptions = true,
            description = {
                "Give a tenant a new webhook signing secret, printed once.",
                "Webhooks sent from now on, retries included, are signed with it, and with the replaced secret too",
                "until the grace period ends: two v1 signatures, so receivers verify with either meanwhile."
            })
    public static final class RotateWebhookSecret implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        TableOptions table;

        @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "the tenant id")
        String tenant;

        @Option(
                names = "--grace-hours",
                paramLabel = "HOURS",
                defaultValue = "24",
                description = "how long the replaced secret keeps signing beside the new one, 0 to 720 "
                        + "(default: ${DEFAULT-VALUE}; 0 drops it now)")
        long graceHours;

        public RotateWebhookSecret(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            String secret = withAdmin(
                            ctx, table, admin -> admin.rotateWebhookSecret(tenant, Duration.ofHours(graceHours)))
                    .orElseThrow(() -> new CliException(CliException.FAILED, "no tenant " + tenant));
            PrintWriter out = spec.commandLine().getOut();
            out.println("New webhook secret of " + tenant + " (shown once):");
            out.println("  " + secret);
            out.println(
                    graceHours == 0
                            ? "The replaced secret no longer signs."
                            : "The replaced secret also signs for " + graceHours + " hours.");
            out.flush();
            return 0;
        }
    }
}
