package io.bolmo4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One run per output: a second process claiming the same output is refused naming the first; a killed holder's claim
 * is free again (the system drops its lock), and the next claim removes the temps it left.
 */
class OutputLockTest {
    @TempDir
    Path dir;

    /** Holds a claim on args[0] until its standard input closes (run as a child JVM). */
    public static void main(String[] args) throws IOException {
        try (OutputLock ignored = OutputLock.acquire(Path.of(args[0]), "the holder")) {
            System.out.println("held");
            System.out.flush();
            System.in.read();
        }
    }

    @Test
    void aSecondProcessIsRefusedUntilTheFirstIsGone() throws Exception {
        Path out = dir.resolve("runs").resolve("out");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), OutputLockTest.class.getName(), out.toString()).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", said.readLine(), "the holder did not start");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> OutputLock.acquire(out, "test"));
            assertTrue(e.getMessage().contains("being written by another run (pid " + holder.pid() + ", the holder"),
                    e.getMessage());
            // killed outright, as kill -9 does: its lock file stays, its lock does not, and what it left goes
            Files.createDirectories(out);
            Path staleDir = Files.createDirectory(dir.resolve("runs").resolve(".out.123456789"));
            Path staleFile = Files.writeString(out.resolve(".model.safetensors987654321.tmp"), "half written");
            Path kept = Files.writeString(out.resolve(".keep"), "not a temp");
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertTrue(Files.exists(dir.resolve("runs").resolve(".out.lock")));
            try (OutputLock lock = OutputLock.acquire(out, "test")) {
                assertFalse(Files.exists(staleDir) || Files.exists(staleFile), "a killed run's temps are removed");
                assertTrue(Files.exists(kept));
            }
            assertFalse(Files.exists(dir.resolve("runs").resolve(".out.lock")), "the claim leaves no lock file");
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aRefusedClaimLeavesNoFolderItCreated() {
        Path out = dir.resolve("a").resolve("b").resolve("out");
        try (OutputLock first = OutputLock.acquire(out, "first")) {
            assertThrows(IllegalStateException.class, () -> OutputLock.acquire(out, "second"));
        }
        assertEquals(List.of(), List.of(dir.toFile().list()), "nothing written: the folders above went with the claim");
    }

    @Test
    void anOutputBelowAFileSaysSo() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "a file");
        for (Path out : List.of(file.resolve("out.safetensors"), file.resolve("sub").resolve("out.safetensors"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputLock.acquire(out, "test"));
            assertEquals("cannot create " + out.getParent() + ": " + file + " is a file, not a folder", e.getMessage());
        }
        assertEquals("a file", Files.readString(file));
    }

    @Test
    void aFailedRunLeavesNoEmptyOutputFolderAndAWrittenOutputStays() throws IOException {
        Path out = dir.resolve("runs").resolve("out");
        try (OutputLock lock = OutputLock.acquire(out, "test")) {
            Files.createDirectories(out); // the run made its folder, then failed before writing into it
        }
        assertEquals(List.of(), List.of(dir.toFile().list()), "the empty output and the folder above it are gone");
        Path file = dir.resolve("logits").resolve("out.safetensors");
        try (OutputLock lock = OutputLock.acquire(file, "test")) {
            Files.writeString(file, "written");
        }
        assertEquals("written", Files.readString(file));
    }
}
