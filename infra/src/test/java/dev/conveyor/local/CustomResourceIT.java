package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.log.Log;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local runtime runs a template's custom resources at start, as a deployment would, and follows their answer. */
class CustomResourceIT {
    private static final Path TEMPLATE = Path.of("src", "test", "resources", "custom-resource-template.yaml")
            .toAbsolutePath();

    @BeforeAll
    static void quiet() {
        Log.configure(System.out, Log.Level.ERROR);
    }

    private static LocalRuntime start(Path data, boolean fresh, String answer) {
        return LocalRuntime.start(new LocalRuntime.Options(TEMPLATE, data, fresh, 0, 0, Map.of("Answer", answer), 1,
                "custom"));
    }

    @Test
    void aNewStackCreatesTheResourceAndALaterStartUpdatesItByItsPhysicalId() {
        Path data = LocalRuntimeFixture.tempDirectory();
        try (LocalRuntime first = start(data, false, "SUCCESS")) {
            assertTrue(first.describe().contains("deployed    Thing {RequestType=Create, PhysicalResourceId=none}"),
                    first.describe());
        }
        try (LocalRuntime second = start(data, false, "SUCCESS")) {
            assertTrue(second.describe().contains("deployed    Thing {RequestType=Update, PhysicalResourceId=thing-1}"),
                    second.describe());
        }
        try (LocalRuntime fresh = start(data, true, "SUCCESS")) {
            assertTrue(fresh.describe().contains("deployed    Thing {RequestType=Create"), fresh.describe());
        }
    }

    @Test
    void aFailedAnswerStopsTheStartWithTheReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> start(LocalRuntimeFixture.tempDirectory(), false, "FAILED"));
        assertEquals("Thing (Custom::Thing) failed: scripted FAILED", e.getMessage());
    }

    @Test
    void noAnswerStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> start(LocalRuntimeFixture.tempDirectory(), false, "SILENT"));
        assertEquals("Thing (Custom::Thing): Provider returned without answering its response URL", e.getMessage());
    }
}
