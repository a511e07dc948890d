package dev.bedrockjobs.core.port;

import java.util.List;

/** The jobs queue's dead-letter queue, read (never emptied) by the reconciler. */
public interface DeadLetters {

    /** Job ids named by messages now in the dead-letter queue (at most {@code max}). */
    List<String> jobIds(int max);
}
