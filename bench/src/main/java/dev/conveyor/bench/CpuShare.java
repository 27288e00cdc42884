package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;

/**
 * How much of the machine's CPU went to processes other than the benchmark's own while it measured: on a shared
 * machine the figures are only as good as this is small. From {@code /proc/stat} (all CPUs) and
 * {@code /proc/<pid>/stat} (the bench's processes), in clock ticks. Without /proc (macOS) it is unknown: NaN.
 */
final class CpuShare {
    private final long busyAtStart;
    private final long totalAtStart;
    private final long oursAtStart;

    private CpuShare(long busy, long total, long ours) {
        this.busyAtStart = busy;
        this.totalAtStart = total;
        this.oursAtStart = ours;
    }

    static CpuShare start(Collection<Long> ours) {
        long[] machine = machine();
        return new CpuShare(machine[0], machine[1], ticks(ours));
    }

    /**
     * The share of all CPUs' time since the start that processes other than {@code ours} used, 0 to 1; NaN when
     * there is no /proc to tell. A process of {@code ours} that started since counts whole.
     */
    double othersSince(Collection<Long> ours) {
        long[] machine = machine();
        long total = machine[1] - totalAtStart;
        if (total <= 0) {
            return Double.NaN;
        }
        long others = (machine[0] - busyAtStart) - (ticks(ours) - oursAtStart);
        return Math.max(0, (double) others / total);
    }

    /** Busy and total ticks of all CPUs (the first line of /proc/stat). */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Machine.PROC.resolve("stat")).get(0).trim().split("\\s+");
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user .. steal
                total += Long.parseLong(f[i]);
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0}; // no /proc/stat: no total, so othersSince is NaN
        }
    }

    /** User and system ticks of the processes still alive. */
    private static long ticks(Collection<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Machine.PROC.resolve(Long.toString(pid)).resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (IOException | RuntimeException e) {
                // gone: its ticks no longer count on either side
            }
        }
        return sum;
    }
}
