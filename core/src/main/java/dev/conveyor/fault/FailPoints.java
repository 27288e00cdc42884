package dev.conveyor.fault;

/**
 * Named points in the code where a fault-injection test can make things go wrong, as etcd's and TiKV's failpoints
 * do: a consumer that dies between claiming its jobs and recording them, a send that fails after the insert. In
 * production nothing is installed and a point costs one volatile read.
 *
 * <p>The points: {@code submit.stored} (jobs inserted, messages not yet sent), {@code dispatch.send} (before
 * SendMessage), {@code process.claimed} (jobs claimed, no handler started), {@code handler.started} and
 * {@code handler.finished} (around each handler run, with the job), {@code process.recording} (handlers done,
 * outcomes not yet recorded), {@code process.hiding} (outcomes recorded, messages not yet hidden).
 */
public final class FailPoints {
    /** What a test installs: called at every point, it may record, wait, or throw. */
    public interface Injector {
        void hit(String point, Object subject);
    }

    /**
     * The process died here. An {@link Error}, so that no {@code catch (Exception e)} on its way out records
     * anything: what happens after a real crash is nothing at all.
     */
    public static final class Crash extends Error {
        public Crash(String point) {
            super("injected crash at " + point, null, false, false);
        }
    }

    private static volatile Injector injector;

    private FailPoints() {
    }

    public static void hit(String point, Object subject) {
        Injector current = injector;
        if (current != null) {
            current.hit(point, subject);
        }
    }

    /** Installs an injector for the whole JVM; null removes it. */
    public static void install(Injector value) {
        injector = value;
    }
}
