package dev.conveyor.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The open model's profile and schedule, and its options, without a server. */
class OpenModelTest {
    private static final BenchOptions DEFAULTS = BenchOptions.defaults(Path.of("."));

    @Test
    void theDefaultProfileIsArtillerysThreeArrivalPhases() {
        OpenModel.Profile profile = DEFAULTS.openModelScaled();
        assertEquals("10x60,50x120,100x60", profile.spec());
        assertEquals(12_600, profile.users());
    }

    @Test
    void usersArriveEvenlyWithinEachPhaseAndPhasesFollowOneAnother() {
        long[] starts = OpenModel.Profile.parse("2x2,4x1").schedule();
        assertArrayEquals(new long[] {0, 500_000_000L, 1_000_000_000L, 1_500_000_000L,
            2_000_000_000L, 2_250_000_000L, 2_500_000_000L, 2_750_000_000L}, starts);
    }

    @Test
    void theScaleShortensEveryPhaseAndKeepsItsRate() {
        BenchOptions options = BenchOptions.parse(new String[] {"--open-model-scale", "0.05"}, DEFAULTS);
        OpenModel.Profile scaled = options.openModelScaled();
        assertEquals("10x3,50x6,100x3", scaled.spec());
        assertEquals(30 + 300 + 300, scaled.users());
    }

    @Test
    void noneSkipsThePhase() {
        BenchOptions options = BenchOptions.parse(new String[] {"--open-model", "none"}, DEFAULTS);
        assertNull(options.openModel());
        assertNull(options.openModelScaled());
    }

    @Test
    void aMalformedOrEmptyProfileIsRefusedWithWhatIsWrong() {
        for (String spec : new String[] {"10", "10x", "x60", "10x60,", "10*60", "-1x60", "ten x 60", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BenchOptions.parse(new String[] {"--open-model", spec}, DEFAULTS), spec);
            assertTrue(e.getMessage().contains("RATExSECONDS"), e.getMessage());
        }
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(new String[] {"--open-model", "0x60"}, DEFAULTS));
        assertTrue(zero.getMessage().contains("above 0"), zero.getMessage());
    }

    @Test
    void aPhaseWithoutUsersOrWithTooManyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(
                new String[] {"--open-model", "10x60,1x1", "--open-model-scale", "0.1"}, DEFAULTS));
        assertTrue(e.getMessage().contains("1x1") && e.getMessage().contains("starts no user"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(new String[] {"--open-model-scale", "0"}, DEFAULTS));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(new String[] {"--open-model", "100000x100000"}, DEFAULTS));
        assertTrue(tooMany.getMessage().contains("the most a phase may"), tooMany.getMessage());
    }
}
