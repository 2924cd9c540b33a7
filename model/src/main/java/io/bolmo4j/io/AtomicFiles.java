package io.bolmo4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Temp files and folders for atomic writes, beside their target so the final rename stays on one file system. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** A hidden temp file next to {@code target}, readable by others like an ordinary file (createTempFile gives 0600). */
    static Path tempFor(Path target) throws IOException {
        return withPermissions(Files.createTempFile(parentOf(target), "." + target.getFileName(), ".tmp"), "rw-r--r--");
    }

    /** A hidden temp folder next to {@code target}, to be renamed to it once complete. */
    public static Path tempDirFor(Path target) throws IOException {
        return withPermissions(Files.createTempDirectory(parentOf(target), "." + target.getFileName() + "."), "rwxr-xr-x");
    }

    /**
     * Removes what killed writers left for {@code target}: its hidden temp files and folders beside it and, when it is
     * a folder, those of the files in it. Call it only while no other writer can be at work on {@code target}
     * ({@link OutputLock}).
     */
    static void removeStaleTemps(Path target) throws IOException {
        removeTemps(target.getParent(), target.getFileName().toString());
        if (Files.isDirectory(target)) {
            removeTemps(target, null);
        }
    }

    /** Temps of {@code name} in {@code dir} (null: of any name): {@code .NAME<digits>.tmp} and {@code .NAME.<digits>}. */
    private static void removeTemps(Path dir, String name) throws IOException {
        String n = name == null ? ".+" : Pattern.quote(name);
        Pattern temp = Pattern.compile("\\." + n + "(\\d+\\.tmp|\\.\\d+)");
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> temp.matcher(p.getFileName().toString()).matches()).toList();
        }
        for (Path p : stale) {
            deleteTree(p);
        }
    }

    private static Path parentOf(Path target) throws IOException {
        return Files.createDirectories(target.toAbsolutePath().getParent());
    }

    private static Path withPermissions(Path tmp, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
        return tmp;
    }

    /** Removes a file or a folder with everything in it; nothing when absent. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    /** {@link #deleteTree} as a best effort, for temp files and folders (null: nothing). */
    public static void deleteQuietly(Path p) {
        try {
            if (p != null) {
                deleteTree(p);
            }
        } catch (IOException ignored) {
            // a leftover temp is hidden and never mistaken for its target; the next write replaces it
        }
    }
}
