package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.ApiKey;
import java.util.List;
import java.util.Optional;

/** The API keys tenants call with: looked up by hash on every request, managed by an operator by public id. */
public interface ApiKeys {

    Optional<ApiKey> findKey(String keyHash);

    void putKey(ApiKey key);

    /** Every key, or only one tenant's ({@code tenantId} not null), ordered by tenant, creation time and key id. */
    List<ApiKey> listKeys(String tenantId);

    /** Marks the key with this public id disabled; returns it as it now is, or empty if no key has that id. */
    Optional<ApiKey> disableKey(String keyId);
}
