package dev.bedrockjobs.core.domain;

import java.time.Instant;

/**
 * Jobs that finished, when, and the stretch of time the work on them took: from when it started until the last of them
 * finished. Pace is read from these rather than from finishes alone, so that the time a lane or a batch stood idle
 * between arrivals is not taken for slowness.
 *
 * @param jobs  how many finished
 * @param from  when the work on them started (the earliest known start)
 * @param first when the first of them finished
 * @param last  when the last of them finished
 */
public record Finishes(long jobs, Instant from, Instant first, Instant last) {}
