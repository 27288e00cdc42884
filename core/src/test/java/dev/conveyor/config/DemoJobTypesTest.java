package dev.conveyor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** CONVEYOR_DEMO_JOB_TYPES: the demonstration types are on unless a deployment turns them off. */
class DemoJobTypesTest {
    private static Set<String> types(Map<String, String> environment) {
        return Wiring.handlers(new Config(environment::get)).types();
    }

    private static final Set<String> DEMO = Set.of("echo", "fail", "sleep");

    @Test
    void theDemoTypesAreThereByDefaultAndWhenEnabled() {
        assertTrue(types(Map.of()).containsAll(DEMO), types(Map.of())::toString);
        assertEquals(types(Map.of()), types(Map.of("CONVEYOR_DEMO_JOB_TYPES", "Enabled")));
    }

    /** Only the demonstration types go: built-in types of core's other than those stay. */
    @Test
    void disabledLeavesThemOutAndNothingElse() {
        Set<String> expected = new TreeSet<>(types(Map.of()));
        expected.removeAll(DEMO);
        assertEquals(expected, types(Map.of("CONVEYOR_DEMO_JOB_TYPES", "Disabled")));
    }

    @Test
    void anyOtherValueIsAMistakeNamedAtColdStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> types(Map.of("CONVEYOR_DEMO_JOB_TYPES", "off")));
        assertEquals("CONVEYOR_DEMO_JOB_TYPES must be Enabled or Disabled, not off", e.getMessage());
    }
}
