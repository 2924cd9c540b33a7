package io.bolmo4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An exclusive claim on an output (a folder or a file) for the length of one run, so that two runs given the same
 * output cannot both write it: the second is refused at once, naming the first. The claim is an OS file lock on a
 * hidden {@code .NAME.lock} beside the output, which the system releases when a run dies, and which is removed when
 * the claim ends. Taking it also removes the hidden temp files and folders that killed runs left for this output
 * ({@link AtomicFiles#removeStaleTemps}): while the claim is held, no other run can be writing them.
 */
public final class OutputLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final List<Path> createdDirs;

    private OutputLock(Path file, FileChannel channel, FileLock lock, List<Path> createdDirs) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.createdDirs = createdDirs;
    }

    /**
     * Claims {@code target} for this run ({@code what} names the run in the message another run gets, e.g.
     * {@code "bolmo4j byteify"}); creates the folders above it when missing.
     *
     * @throws IllegalStateException when another run holds the claim
     */
    public static OutputLock acquire(Path target, String what) {
        Path abs = target.toAbsolutePath().normalize();
        Path file = abs.resolveSibling("." + abs.getFileName() + ".lock");
        List<Path> created = createParents(abs.getParent());
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            created.add(abs); // an output folder the run makes and leaves empty (it failed first) goes with the claim
        }
        String token = UUID.randomUUID() + " pid " + ProcessHandle.current().pid() + ", " + what + ", since " + Instant.now();
        try {
            for (int attempt = 0; attempt < 100; attempt++) {
                Object before = fileKey(file);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock l;
                boolean here = false;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                    here = true;
                }
                if (l == null) {
                    // POSIX drops a process's locks on a file when it closes any descriptor of it: read the holder only
                    // when this process holds none
                    String holder = here ? "another command of this process" : holder(file);
                    ch.close();
                    removeCreated(created);
                    throw new IllegalStateException(target + " is being written by another run (" + holder
                            + "); wait for it to end or choose another output");
                }
                // the previous holder removes the file as it lets go: a lock on a removed file claims nothing, so the
                // path must still name the file that was opened (compared by file key: opening it again would drop the
                // lock); a file this run created is checked on the next round
                Object after = fileKey(file);
                if (after != null && after.equals(before)) {
                    ch.truncate(0).write(ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
                    AtomicFiles.removeStaleTemps(abs);
                    return new OutputLock(file, ch, l, created);
                }
                l.release();
                ch.close();
            }
            throw new IllegalStateException("cannot claim " + target + ": its lock file " + file + " keeps changing");
        } catch (IOException e) {
            removeCreated(created);
            throw new UncheckedIOException("cannot lock " + target + " (" + file + "): " + e.getMessage(), e);
        }
    }

    /** The file system's identity of a file (device and inode on Unix); null when it does not exist. */
    private static Object fileKey(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Ends the claim: removes the lock file, then lets go; folders created for the output (and the output itself, a
     * folder that did not exist) go too while empty.
     */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + file + ": " + e.getMessage(), e);
        } finally {
            removeCreated(createdDirs);
        }
    }

    /** Who holds a lock, as its token says (without the token's unique part). */
    private static String holder(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8);
            return t.contains(" pid ") ? t.substring(t.indexOf(" pid ") + 1) : "another process";
        } catch (IOException e) {
            return "another process";
        }
    }

    private static List<Path> createParents(Path dir) {
        List<Path> missing = new ArrayList<>();
        Path existing = dir;
        for (; existing != null && !Files.exists(existing); existing = existing.getParent()) {
            missing.add(0, existing);
        }
        if (existing != null && !Files.isDirectory(existing)) { // the JDK would say only the path
            throw new IllegalArgumentException("cannot create " + dir + ": " + existing + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (AccessDeniedException e) {
            throw new UncheckedIOException("cannot create " + dir + ": permission denied for " + e.getFile(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return missing;
    }

    private static void removeCreated(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            if (Files.exists(created.get(i), LinkOption.NOFOLLOW_LINKS)
                    && !Files.isDirectory(created.get(i), LinkOption.NOFOLLOW_LINKS)) {
                return; // an output file the run wrote
            }
            try {
                Files.deleteIfExists(created.get(i));
            } catch (DirectoryNotEmptyException e) {
                return; // the run wrote there: keep it and what is above
            } catch (IOException e) {
                return;
            }
        }
    }
}
