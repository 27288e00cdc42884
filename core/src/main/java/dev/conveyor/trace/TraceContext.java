package dev.conveyor.trace;

import dev.conveyor.config.Env;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in a distributed trace, as W3C Trace Context writes it ({@code traceparent}:
 * {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}) and as AWS X-Ray does ({@code X-Amzn-Trace-Id}:
 * {@code Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1}). The two name the same trace: an X-Ray trace id is
 * the W3C one split after its eighth digit (the epoch seconds), so a job can carry one and answer with the other.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId 16 lowercase hex digits, not all zero
 */
public record TraceContext(String traceId, String spanId, boolean sampled) {
    private static final Pattern TRACEPARENT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
    private static final Pattern XRAY_ROOT = Pattern.compile("(?:^|;)\\s*Root=1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})");
    private static final Pattern XRAY_PARENT = Pattern.compile("(?:^|;)\\s*Parent=([0-9a-fA-F]{16})");
    private static final Pattern XRAY_SAMPLED = Pattern.compile("(?:^|;)\\s*Sampled=([01?])");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);
    /** Not a generator seeded once: a SnapStart snapshot would give every restored environment the same ids. */
    private static final SecureRandom RANDOM = new SecureRandom();

    public TraceContext {
        if (!valid(traceId, 32, ZERO_TRACE) || !valid(spanId, 16, ZERO_SPAN)) {
            throw new IllegalArgumentException("not a trace context: " + traceId + "/" + spanId);
        }
    }

    /** A {@code traceparent} header, or null when it is absent or not one (W3C: ignore it, start a new trace). */
    public static TraceContext fromTraceparent(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = TRACEPARENT.matcher(header.strip());
        if (!m.matches() || m.group(1).equals("ff") || (m.group(1).equals("00") && m.group(5) != null)
                || m.group(2).equals(ZERO_TRACE) || m.group(3).equals(ZERO_SPAN)) {
            return null;
        }
        return new TraceContext(m.group(2), m.group(3), (Integer.parseInt(m.group(4), 16) & 1) == 1);
    }

    /** An {@code X-Amzn-Trace-Id} header, or null when it names no root; a missing parent gets a new span id. */
    public static TraceContext fromXRay(String header) {
        if (header == null) {
            return null;
        }
        Matcher root = XRAY_ROOT.matcher(header);
        if (!root.find()) {
            return null;
        }
        String traceId = (root.group(1) + root.group(2)).toLowerCase(Locale.ROOT);
        if (traceId.equals(ZERO_TRACE)) {
            return null;
        }
        Matcher parent = XRAY_PARENT.matcher(header);
        String spanId = parent.find() ? parent.group(1).toLowerCase(Locale.ROOT) : newSpanId();
        if (spanId.equals(ZERO_SPAN)) {
            spanId = newSpanId();
        }
        Matcher sampled = XRAY_SAMPLED.matcher(header);
        return new TraceContext(traceId, spanId, !sampled.find() || !sampled.group(1).equals("0"));
    }

    /** A new trace, its id led by the epoch seconds as X-Ray's are (so that X-Ray accepts it too). */
    public static TraceContext newTrace() {
        String epoch = String.format("%08x", System.currentTimeMillis() / 1000);
        return new TraceContext(epoch + hex(RANDOM.nextLong(), 8) + hex(RANDOM.nextLong(), 16), newSpanId(), true);
    }

    /**
     * The trace a submission belongs to: the caller's W3C {@code traceparent} header, else its
     * {@code X-Amzn-Trace-Id} (API Gateway sends one when tracing is on), else the trace Lambda gives this invocation
     * (the {@code com.amazonaws.xray.traceHeader} property its runtime sets, or {@code _X_AMZN_TRACE_ID}), else a new
     * trace. The answer is a span of its own below the caller's.
     */
    public static TraceContext forSubmission(String traceparent, String xrayHeader) {
        TraceContext caller = fromTraceparent(traceparent);
        if (caller == null) {
            caller = fromXRay(xrayHeader);
        }
        if (caller == null) {
            String lambda = System.getProperty("com.amazonaws.xray.traceHeader");
            caller = fromXRay(lambda != null ? lambda : Env.get("_X_AMZN_TRACE_ID"));
        }
        return caller == null ? newTrace() : caller.child();
    }

    /** A span of this trace below this one: the same trace id, a new span id. */
    public TraceContext child() {
        return new TraceContext(traceId, newSpanId(), sampled);
    }

    public String traceparent() {
        return "00-" + traceId + "-" + spanId + "-" + (sampled ? "01" : "00");
    }

    /** The same position as X-Ray's header, as SQS's {@code AWSTraceHeader} attribute carries it. */
    public String xrayHeader() {
        return "Root=1-" + traceId.substring(0, 8) + "-" + traceId.substring(8) + ";Parent=" + spanId
                + ";Sampled=" + (sampled ? "1" : "0");
    }

    private static String newSpanId() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return hex(id, 16);
    }

    private static String hex(long value, int digits) {
        String text = String.format("%016x", value);
        return text.substring(16 - digits);
    }

    private static boolean valid(String hex, int length, String zero) {
        return hex != null && hex.length() == length && !hex.equals(zero) && hex.chars()
                .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
