package dev.conveyor.config;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** A clock at PostgreSQL's resolution, so that a time written and read back is the same instant. */
public final class MicrosecondClock extends Clock {
    private final Clock base;

    public MicrosecondClock(Clock base) {
        this.base = base;
    }

    public static Clock systemUtc() {
        return new MicrosecondClock(Clock.systemUTC());
    }

    @Override
    public Instant instant() {
        return base.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
