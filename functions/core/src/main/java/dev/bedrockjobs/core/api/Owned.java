package dev.bedrockjobs.core.api;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.port.BatchStore;
import dev.bedrockjobs.core.port.JobStore;
import java.util.Optional;

/**
 * The job or batch a request names, if the caller's tenant owns it. Another tenant's is empty, exactly like a missing
 * one; an id that is not well-formed is not looked up at all.
 */
final class Owned {
    private Owned() {}

    static Optional<Job> job(JobStore jobs, ApiRequest request, String id) {
        return Ids.isWellFormed(id, "job_") ? jobs.getOwned(request.tenantId(), id) : Optional.empty();
    }

    static Optional<Batch> batch(BatchStore batches, ApiRequest request, String id) {
        return Ids.isWellFormed(id, "bat_") ? batches.getOwned(request.tenantId(), id) : Optional.empty();
    }
}
