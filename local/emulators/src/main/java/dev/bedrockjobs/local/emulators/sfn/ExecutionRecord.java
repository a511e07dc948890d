package dev.bedrockjobs.local.emulators.sfn;

import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionResult;
import dev.bedrockjobs.local.emulators.sfn.engine.ExecutionStatus;
import java.time.Instant;

/** An execution as the API describes it: running, or finished with its result. */
public final class ExecutionRecord {

    private final String executionArn;
    private final String name;
    private final StateMachine stateMachine;
    private final String input;
    private final Instant startDate;
    private volatile ExecutionStatus status = ExecutionStatus.RUNNING;
    private volatile ExecutionResult result;

    ExecutionRecord(String executionArn, String name, StateMachine stateMachine, String input, Instant startDate) {
        this.executionArn = executionArn;
        this.name = name;
        this.stateMachine = stateMachine;
        this.input = input;
        this.startDate = startDate;
    }

    void finish(ExecutionResult result) {
        this.result = result;
        this.status = result.status();
    }

    void abort() {
        this.status = ExecutionStatus.ABORTED;
    }

    public String executionArn() {
        return executionArn;
    }

    public String name() {
        return name;
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    public String input() {
        return input;
    }

    public Instant startDate() {
        return result != null ? result.startDate() : startDate;
    }

    public ExecutionStatus status() {
        return status;
    }

    /** The result once the execution has ended, else null. */
    public ExecutionResult result() {
        return result;
    }
}
