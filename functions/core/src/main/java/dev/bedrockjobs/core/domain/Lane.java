package dev.bedrockjobs.core.domain;

/**
 * The queue a job waits in. Single jobs are interactive (someone is waiting on the answer); batch items are bulk.
 * Each lane is its own queue with its own worker concurrency, so a long batch never stands between an interactive
 * job and a worker. A job may ask for the bulk lane; a batch may ask for the interactive one only when its tenant
 * is allowed to.
 */
public enum Lane {
    INTERACTIVE("interactive"),
    BULK("bulk");

    private final String wire;

    Lane(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @return the lane of that wire name, or null for anything else */
    public static Lane fromWire(String v) {
        for (Lane l : values()) {
            if (l.wire.equals(v)) {
                return l;
            }
        }
        return null;
    }
}
