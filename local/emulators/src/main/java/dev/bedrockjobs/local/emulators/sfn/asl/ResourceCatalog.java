package dev.bedrockjobs.local.emulators.sfn.asl;

/** What the engine can run as a Task {@code Resource}, consulted at load time. */
public interface ResourceCatalog {

    /**
     * Accepts a Task's resource and parameters, or refuses them.
     *
     * @param parameters the Task's Parameters, or null when absent
     * @throws AslDefinitionException for a resource the engine cannot run or parameters it does not implement
     */
    void check(String state, String resource, PayloadTemplate parameters);
}
