package dev.bedrockjobs.lambda;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * What every handler does for SnapStart: it registers its hooks once built, and before the snapshot it runs the JSON
 * and item mapping every function shares, then its own first request ({@link #prime}), so that a restored instance
 * finds that path loaded and compiled. Nothing is redone after a restore: no handler makes anything at snapshot time
 * that must differ per environment (on a JVM without CRaC, registering does nothing).
 */
public abstract class PrimedHandler implements Resource {
    protected PrimedHandler() {
        Core.getGlobalContext().register(this);
    }

    /** The handler's own first request, one that writes nothing; none by default. */
    protected void prime() {}

    @Override
    public final void beforeCheckpoint(Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
        prime();
    }

    @Override
    public final void afterRestore(Context<? extends Resource> context) {
        // see the class comment
    }
}
