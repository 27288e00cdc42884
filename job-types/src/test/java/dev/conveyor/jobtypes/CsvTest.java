package dev.conveyor.jobtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.conveyor.handler.PermanentJobFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaks() throws PermanentJobFailure {
        assertEquals(List.of(List.of("name", "note"), List.of("a, b", "say \"hi\"\nthen go"), List.of("", "x")),
                Csv.parse("name,note\r\n\"a, b\",\"say \"\"hi\"\"\nthen go\"\n,x"));
    }

    @Test
    void anUnclosedQuoteIsPermanent() {
        PermanentJobFailure e = assertThrows(PermanentJobFailure.class, () -> Csv.parse("a\n\"open"));
        assertEquals("a quoted field is never closed (record 2)", e.getMessage());
    }
}
