package dev.conveyor.job;

import static dev.conveyor.job.JobState.CANCELLED;
import static dev.conveyor.job.JobState.DEAD_LETTERED;
import static dev.conveyor.job.JobState.FAILED;
import static dev.conveyor.job.JobState.PENDING;
import static dev.conveyor.job.JobState.RETRYING;
import static dev.conveyor.job.JobState.RUNNING;
import static dev.conveyor.job.JobState.SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobStateTest {
    /** DESIGN.md's state machine, written out once more by hand. */
    private static final Map<JobState, Set<JobState>> DESIGN = Map.of(
            PENDING, EnumSet.of(RUNNING, CANCELLED, DEAD_LETTERED),
            RUNNING, EnumSet.of(SUCCESS, RETRYING, FAILED, DEAD_LETTERED),
            RETRYING, EnumSet.of(RUNNING, CANCELLED, DEAD_LETTERED),
            SUCCESS, EnumSet.noneOf(JobState.class),
            FAILED, EnumSet.of(PENDING),
            DEAD_LETTERED, EnumSet.of(PENDING),
            CANCELLED, EnumSet.of(PENDING));

    @Test
    void transitionsFollowTheDesign() {
        for (JobState from : JobState.values()) {
            for (JobState to : JobState.values()) {
                assertEquals(DESIGN.get(from).contains(to), from.canBecome(to), from + " -> " + to);
            }
        }
    }

    @Test
    void terminalStatesAreTheFinishedOnes() {
        Set<JobState> terminal = EnumSet.noneOf(JobState.class);
        for (JobState state : JobState.values()) {
            if (state.isTerminal()) {
                terminal.add(state);
            }
        }
        assertEquals(EnumSet.of(SUCCESS, FAILED, DEAD_LETTERED, CANCELLED), terminal);
    }

    @Test
    void parseTakesOnlyExactNames() {
        assertEquals(RETRYING, JobState.parse("RETRYING"));
        assertThrows(IllegalArgumentException.class, () -> JobState.parse("retrying"));
    }
}
