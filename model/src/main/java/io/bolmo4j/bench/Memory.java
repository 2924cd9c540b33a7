package io.bolmo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory from {@code /proc/self/status} (Linux); -1 elsewhere. */
public final class Memory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private Memory() {}

    /** Peak resident set size so far ({@code VmHWM}), bytes. */
    public static long peakResident() {
        return field(STATUS, "VmHWM:");
    }

    /** Resident set size now ({@code VmRSS}), bytes. */
    public static long resident() {
        return field(STATUS, "VmRSS:");
    }

    /** Memory the kernel could give without swapping ({@code MemAvailable} of /proc/meminfo), bytes. */
    public static long available() {
        return field(Path.of("/proc/meminfo"), "MemAvailable:");
    }

    private static long field(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux, or no such field
        }
        return -1;
    }
}
