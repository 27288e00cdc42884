package dev.conveyor.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** W3C Trace Context (traceparent, version 00) and X-Ray's header, read and written, and mapped onto each other. */
class TraceContextTest {
    private static final String W3C = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void aTraceparentIsReadAndWrittenBackAsItCame() {
        TraceContext context = TraceContext.fromTraceparent(W3C);
        assertEquals("0af7651916cd43dd8448eb211c80319c", context.traceId());
        assertEquals("b7ad6b7169203331", context.spanId());
        assertTrue(context.sampled());
        assertEquals(W3C, context.traceparent());
        assertFalse(TraceContext.fromTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00").sampled());
    }

    @Test
    void anInvalidTraceparentIsIgnored() {
        for (String header : new String[] {null, "", "garbage", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
                "00-00000000000000000000000000000000-b7ad6b7169203331-01",
                "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
                "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"}) {
            assertNull(TraceContext.fromTraceparent(header), header);
        }
        // a later version may add fields after the flags
        assertEquals("0af7651916cd43dd8448eb211c80319c",
                TraceContext.fromTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra").traceId());
    }

    @Test
    void anXRayHeaderNamesTheSameTraceAsItsW3cId() {
        TraceContext context = TraceContext.fromXRay(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        assertEquals("5759e988bd862e3fe1be46a994272793", context.traceId());
        assertEquals("53995c3f42cd8ad8", context.spanId());
        assertEquals("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                context.xrayHeader());
        assertEquals(context.traceId(), TraceContext.fromXRay(context.xrayHeader()).traceId());
        assertFalse(TraceContext.fromXRay("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0").sampled());
        assertNull(TraceContext.fromXRay("Parent=53995c3f42cd8ad8"));
        assertNull(TraceContext.fromXRay("Root=2-5759e988-bd862e3fe1be46a994272793"));
    }

    @Test
    void aSubmissionJoinsTheCallersTraceInASpanOfItsOwn() {
        TraceContext caller = TraceContext.fromTraceparent(W3C);
        TraceContext submission = TraceContext.forSubmission(W3C, "Root=1-5759e988-bd862e3fe1be46a994272793");
        assertEquals(caller.traceId(), submission.traceId(), "traceparent wins over X-Amzn-Trace-Id");
        assertNotEquals(caller.spanId(), submission.spanId());

        TraceContext fromXRay = TraceContext.forSubmission("not a traceparent",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        assertEquals("5759e988bd862e3fe1be46a994272793", fromXRay.traceId());
    }

    @Test
    void aNewTraceIsValidForBothAndStartsWithTheTime() {
        TraceContext trace = TraceContext.forSubmission(null, null);
        assertEquals(trace.traceId(), TraceContext.fromTraceparent(trace.traceparent()).traceId());
        assertEquals(trace.traceId(), TraceContext.fromXRay(trace.xrayHeader()).traceId());
        long epoch = Long.parseLong(trace.traceId().substring(0, 8), 16);
        assertTrue(Math.abs(epoch - System.currentTimeMillis() / 1000) < 5, "X-Ray wants the time first: " + epoch);
        assertNotEquals(trace.traceId(), TraceContext.newTrace().traceId());
    }
}
