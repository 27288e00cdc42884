package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.json.Json;

/** {@code stall}: sleeps {@code seconds} whatever its timeout, for tests of attempts that run past it. */
public final class StallHandler implements JobHandler {
    @Override
    public String type() {
        return "stall";
    }

    @Override
    public JsonNode run(JobContext context) throws InterruptedException {
        Thread.sleep((long) (context.payload().path("seconds").asDouble(1) * 1000));
        return Json.object();
    }
}
