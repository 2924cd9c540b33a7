package io.bolmo4j.hub;

import io.bolmo4j.progress.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Models from the Hugging Face Hub, kept in the hub cache huggingface_hub uses ({@link HubCache}): what one of them
 * downloaded, the other finds. Files download in parallel with one progress bar, resume after an interruption, and a
 * large (git-lfs) file is checked against its sha256 (a small one against its git blob id) before it enters the cache.
 * With {@code HF_HUB_OFFLINE} set nothing connects: the cache answers, or the error says what it lacks.
 */
public final class Hub {
    /** Parallel file downloads, as huggingface_hub's snapshot_download (max_workers=8). */
    private static final int WORKERS = 8;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    /** ETags name blob files: hashes, nothing that could leave the blobs folder. */
    private static final Pattern ETAG = Pattern.compile("[0-9A-Za-z_-][0-9A-Za-z._-]*");
    private static final long MB = 1_000_000;

    private final HubSettings settings;
    private final HubCache cache;

    public Hub(HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
    }

    /** The Hub and cache this process's environment names ({@link HubSettings#current()}). */
    public static Hub current() {
        return new Hub(HubSettings.current());
    }

    public HubSettings settings() {
        return settings;
    }

    /**
     * Brings {@code repo}'s files that match {@code include} (globs as {@code huggingface-cli download --include}; none:
     * every file) into the cache, asking the Hub which commit the revision is at; offline, the cached snapshot.
     *
     * @return the snapshot folder, {@code HUB_CACHE/models--ORG--NAME/snapshots/COMMIT}
     */
    public Path download(HubRepo repo, List<String> include) {
        return settings.offline() ? cached(repo, FilePatterns.anyOf(include)) : fetch(repo, FilePatterns.anyOf(include));
    }

    /**
     * The cached snapshot of {@code repo} when it holds every file {@code wanted} selects (without asking the Hub),
     * else {@link #download} of those files.
     */
    public Path resolve(HubRepo repo, Predicate<String> wanted) {
        if (settings.offline()) {
            return cached(repo, wanted);
        }
        Optional<HubCache.Snapshot> s = cache.snapshot(repo);
        boolean complete = s.isPresent() && (s.get().listing().isPresent() ? s.get().missing(wanted).isEmpty()
                : Files.exists(s.get().folder().resolve("config.json")));
        return complete ? s.get().folder() : fetch(repo, wanted);
    }

    /** {@code file} of {@code repo}'s revision, when the cache holds it. */
    public Optional<Path> cachedFile(HubRepo repo, String file) {
        return cache.snapshot(repo).map(s -> s.folder().resolve(file)).filter(Files::exists);
    }

    /**
     * The repository a folder of a hub cache belongs to, from its place there ({@code models--ORG--NAME/snapshots/
     * COMMIT}, in any hub cache), e.g. to name a teacher that was loaded from the cache by its Hub id.
     */
    public static Optional<HubRepo> repoOf(Path folder) {
        Path p = folder.toAbsolutePath().normalize();
        Path snapshots = p.getParent();
        if (snapshots == null || snapshots.getParent() == null || !snapshots.getFileName().toString().equals("snapshots")) {
            return Optional.empty();
        }
        String repoFolder = snapshots.getParent().getFileName().toString();
        String[] parts = repoFolder.split("--");
        if (parts.length != 3 || !parts[0].equals("models") || !HubRepo.looksLike(parts[1] + "/" + parts[2])) {
            return Optional.empty();
        }
        return Optional.of(new HubRepo(parts[1] + "/" + parts[2], p.getFileName().toString()));
    }

    /** What the cache holds, offline. */
    private Path cached(HubRepo repo, Predicate<String> wanted) {
        HubCache.Snapshot s = cache.snapshot(repo).orElseThrow(() -> new HubException(HubException.Kind.OFFLINE_MISS,
                "HF_HUB_OFFLINE is set and " + repo.id() + " at revision " + repo.revision() + " is not in the Hugging Face cache "
                        + settings.cache() + ": download it where the Hub can be reached (bolmo4j download " + repo + ")"));
        List<String> missing = s.missing(wanted);
        if (!missing.isEmpty()) {
            throw new HubException(HubException.Kind.OFFLINE_MISS, "HF_HUB_OFFLINE is set and the cached " + repo.id()
                    + " at revision " + repo.revision() + " (commit " + s.commit() + ") lacks " + String.join(", ", missing)
                    + ": download it where the Hub can be reached (bolmo4j download " + repo + ")");
        }
        return s.folder();
    }

    private Path fetch(HubRepo repo, Predicate<String> wanted) {
        HubClient client = new HubClient(settings);
        String commit = client.commit(repo);
        if (!COMMIT.matcher(commit).matches()) {
            throw untrusted(repo, "a commit '" + commit + "'");
        }
        HubRepo atCommit = repo.at(commit);
        try {
            List<RepoFile> files = cache.tree(repo, commit).orElse(null);
            if (files == null) {
                files = client.tree(repo, commit);
                checkPaths(repo, files);
                cache.writeTree(repo, commit, files);
            }
            checkPaths(repo, files);
            List<RepoFile> chosen = files.stream().filter(f -> wanted.test(f.path())).toList();
            if (chosen.isEmpty()) {
                throw new HubException(HubException.Kind.NOT_FOUND, "no file of " + repo.id() + " at revision " + repo.revision()
                        + " matches (it has " + files.stream().map(RepoFile::path).limit(8).toList() + ")");
            }
            cache.tag();
            cache.writeRef(repo, commit);
            Path folder = cache.snapshotFolder(repo, commit);
            List<RepoFile> todo = chosen.stream().filter(f -> !Files.exists(folder.resolve(f.path()))).toList();
            if (!todo.isEmpty()) {
                download(client, repo, atCommit, todo);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the Hugging Face cache " + settings.cache() + ": " + e.getMessage(), e);
        }
    }

    /** File paths stay inside the snapshot folder (huggingface_hub refuses the same). */
    private void checkPaths(HubRepo repo, List<RepoFile> files) {
        files.stream().filter(f -> !HubRepo.SAFE_PATH.test(f.path())).findFirst()
                .ifPresent(f -> {
                    throw untrusted(repo, "a file path '" + f.path() + "'");
                });
    }

    /** The server said something no Hub says, which must not become a path in the cache. */
    private HubException untrusted(HubRepo repo, String what) {
        return new HubException(HubException.Kind.UNREACHABLE, settings.endpoint() + " answered " + what + " for " + repo
                + ", which the Hub never does; nothing was written (check HF_ENDPOINT)");
    }

    /** Downloads files in parallel under one progress bar; the first failure stops the rest (their parts are kept). */
    private void download(HubClient client, HubRepo repo, HubRepo atCommit, List<RepoFile> todo) {
        long total = todo.stream().mapToLong(RepoFile::size).sum();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(WORKERS, todo.size()), r -> {
            Thread t = new Thread(r, "bolmo4j-download");
            t.setDaemon(true);
            return t;
        });
        try (Transfer transfer = new Transfer(Progress.start("download " + repo, Math.max(1, (total + MB - 1) / MB), "MB"))) {
            List<Future<?>> jobs = new ArrayList<>();
            for (RepoFile f : todo) {
                jobs.add(pool.submit(() -> {
                    downloadFile(client, repo, atCommit, f, transfer);
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
            transfer.finish((total + MB - 1) / MB);
        } catch (ExecutionException e) {
            pool.shutdownNow();
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException("cannot write to the Hugging Face cache " + settings.cache() + ": " + c.getMessage(),
                    c instanceof IOException io ? io : new IOException(c));
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.UNREACHABLE, "download of " + repo + " interrupted; the next run resumes it");
        } finally {
            pool.shutdown();
        }
    }

    private void downloadFile(HubClient client, HubRepo repo, HubRepo atCommit, RepoFile f, Transfer transfer) throws IOException {
        HubClient.Location loc = client.locate(repo, atCommit.revision(), f.path());
        if (!ETAG.matcher(loc.etag()).matches()) {
            throw untrusted(repo, "an ETag '" + loc.etag() + "' for " + f.path());
        }
        Path blob = cache.blob(repo, loc.etag());
        if (!Files.exists(blob)) {
            Files.createDirectories(blob.getParent());
            cache.withBlobLock(repo, loc.etag(), () -> {
                if (!Files.exists(blob)) { // another process may have finished it while this one waited
                    Path partial = cache.incomplete(repo, loc.etag());
                    try {
                        transfer.add(Files.exists(partial) ? Files.size(partial) : 0);
                        client.fetch(repo, f.path(), loc, partial, transfer::add);
                        verify(partial, f, loc, atCommit);
                        Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return null;
            });
        } else {
            transfer.add(f.size());
        }
        cache.link(blob, cache.snapshotFolder(repo, atCommit.revision()).resolve(f.path()));
    }

    /**
     * Checks a finished download before it enters the cache: the sha256 the listing (and the ETag) give a git-lfs
     * file, the git blob id of a small one. A mismatch deletes the file.
     */
    private static void verify(Path file, RepoFile f, HubClient.Location loc, HubRepo atCommit) throws IOException {
        String where = f.path() + " of " + atCommit.id() + " at commit " + atCommit.revision();
        List<String> expected = new ArrayList<>();
        if (f.isLfs()) {
            expected.add(f.lfsSha256());
        }
        if (SHA256.matcher(loc.etag()).matches()) {
            expected.add(loc.etag());
        }
        if (!expected.isEmpty()) {
            String got = digest(file, "SHA-256", new byte[0]);
            for (String want : expected) {
                if (!got.equals(want)) {
                    Files.delete(file);
                    throw new HubException(HubException.Kind.CORRUPT, where + " downloaded with sha256 " + got + " but the Hub lists "
                            + want + "; the corrupted download was deleted, run the command again");
                }
            }
        } else if (f.blobId().equals(loc.etag())) {
            String got = digest(file, "SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
            if (!got.equals(f.blobId())) {
                Files.delete(file);
                throw new HubException(HubException.Kind.CORRUPT, where + " downloaded with git blob id " + got + " but the Hub"
                        + " lists " + f.blobId() + "; the corrupted download was deleted, run the command again");
            }
        }
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance(algorithm);
            d.update(prefix);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    /** Bytes of all parallel downloads, shown as one progress bar in MB. */
    private static final class Transfer implements AutoCloseable {
        private final Progress progress;
        private long bytes;

        Transfer(Progress progress) {
            this.progress = progress;
        }

        synchronized void add(long n) {
            bytes += n;
            progress.update(Math.max(0, bytes) / MB, Map.of());
        }

        synchronized void finish(long totalMb) {
            progress.update(totalMb, Map.of());
        }

        @Override
        public synchronized void close() {
            progress.close();
        }
    }
}
