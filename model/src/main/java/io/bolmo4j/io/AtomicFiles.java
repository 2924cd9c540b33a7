package io.bolmo4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
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
