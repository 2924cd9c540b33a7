package io.bolmo4j.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.bolmo4j.io.HfCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The Hugging Face hub cache on disk, in huggingface_hub's layout so that both share it:
 * <pre>
 * HUB_CACHE/models--ORG--NAME/refs/main                    the commit a branch or tag points at (40 hex, no newline)
 *                            /blobs/ETAG                   file contents, named by ETag (git sha1; sha256 for LFS)
 *                            /blobs/ETAG.incomplete        a partial download, resumed with an HTTP Range request
 *                            /snapshots/COMMIT/PATH        relative symlinks to ../../blobs/ETAG
 *                            /trees/COMMIT.json            the commit's file listing (huggingface_hub's tree cache)
 * HUB_CACHE/.locks/models--ORG--NAME/ETAG.lock             held while a blob is written
 * HUB_CACHE/CACHEDIR.TAG                                   tells backup tools to skip the cache
 * </pre>
 */
final class HubCache {
    private static final int TREE_FORMAT = 1;
    /** One monitor per lock file: a JVM cannot hold two file locks on one file, so its threads queue here first. */
    private static final Map<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path root;

    HubCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path repoFolder(HubRepo repo) {
        return root.resolve(repo.folderName());
    }

    /** What the cache holds of a repository at a revision. */
    record Snapshot(String commit, Path folder, Optional<List<RepoFile>> listing) {
        /** Files of the listing that {@code wanted} selects and the folder lacks; empty when there is no listing. */
        List<String> missing(Predicate<String> wanted) {
            return listing.orElse(List.of()).stream().map(RepoFile::path).filter(wanted)
                    .filter(p -> !Files.exists(folder.resolve(p))).toList();
        }
    }

    /** The cached snapshot of {@code repo}'s revision, if its commit is known and its folder exists. */
    Optional<Snapshot> snapshot(HubRepo repo) {
        return commit(repo).map(c -> new Snapshot(c, snapshotFolder(repo, c), tree(repo, c)))
                .filter(s -> Files.isDirectory(s.folder()));
    }

    /** The commit a revision stands for: itself when it is a commit hash, else what {@code refs/REVISION} says. */
    Optional<String> commit(HubRepo repo) {
        if (repo.isCommit()) {
            return Optional.of(repo.revision());
        }
        Path ref = repoFolder(repo).resolve("refs").resolve(repo.revision());
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref, e);
        }
    }

    /** Marks the cache for backup tools (the Cache Directory Tagging Standard), as huggingface_hub does. */
    void tag() throws IOException {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (!Files.exists(tag)) {
            HfCheckpoint.writeAtomically(tag, ("Signature: 8a477f597d28d172789f06886806bc55\n"
                    + "# This file is a cache directory tag created by bolmo4j for the Hugging Face hub cache.\n"
                    + "# For information about cache directory tags, see https://bford.info/cachedir/\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Records that a branch or tag points at {@code commit} (nothing for a commit hash). */
    void writeRef(HubRepo repo, String commit) throws IOException {
        if (repo.revision().equals(commit)) {
            return;
        }
        Path ref = repoFolder(repo).resolve("refs").resolve(repo.revision());
        if (!Files.isRegularFile(ref) || !Files.readString(ref).equals(commit)) {
            HfCheckpoint.writeAtomically(ref, commit.getBytes(StandardCharsets.US_ASCII));
        }
    }

    Path snapshotFolder(HubRepo repo, String commit) {
        return repoFolder(repo).resolve("snapshots").resolve(commit);
    }

    Path blob(HubRepo repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(etag);
    }

    Path incomplete(HubRepo repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    /**
     * Runs {@code work} holding the blob's lock file (other bolmo4j processes wait; threads of this one too).
     * huggingface_hub takes the same file with flock, which does not exclude this lock; against it the blob stays whole
     * because both sides write elsewhere and rename the finished file into place.
     */
    <T> T withBlobLock(HubRepo repo, String etag, Supplier<T> work) throws IOException {
        Path lock = root.resolve(".locks").resolve(repo.folderName()).resolve(etag + ".lock");
        Files.createDirectories(lock.getParent());
        synchronized (IN_PROCESS.computeIfAbsent(lock.toAbsolutePath(), k -> new Object())) {
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return work.get();
            }
        }
    }

    /**
     * Points {@code snapshots/COMMIT/PATH} at the blob with a relative symlink, as huggingface_hub does (so the cache
     * can be moved); a copy where the file system has no symlinks.
     */
    void link(Path blob, Path pointer) throws IOException {
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        if (Files.isSymbolicLink(pointer) && Files.readSymbolicLink(pointer).equals(target)) {
            return;
        }
        Files.deleteIfExists(pointer);
        try {
            Files.createSymbolicLink(pointer, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The file listing of a commit, if huggingface_hub or bolmo4j cached it ({@code trees/COMMIT.json}). */
    Optional<List<RepoFile>> tree(HubRepo repo, String commit) {
        Path f = treeFile(repo, commit);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            if (!o.has("format_version") || o.get("format_version").getAsInt() != TREE_FORMAT) {
                return Optional.empty(); // another version's format: as if absent, like huggingface_hub
            }
            List<RepoFile> files = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("files").entrySet()) {
                JsonObject i = e.getValue().getAsJsonObject();
                files.add(new RepoFile(e.getKey(), i.get("size").getAsLong(), i.get("blob_id").getAsString(),
                        string(i, "lfs_sha256"), string(i, "xet_hash")));
            }
            return Optional.of(files);
        } catch (IOException | JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            return Optional.empty(); // a corrupted listing is ignored (and rewritten by the next download)
        }
    }

    /** Caches a commit's listing in huggingface_hub's tree-cache format (version 1). */
    void writeTree(HubRepo repo, String commit, List<RepoFile> files) throws IOException {
        JsonObject all = new JsonObject();
        for (RepoFile f : files.stream().sorted(Comparator.comparing(RepoFile::path)).toList()) {
            JsonObject i = new JsonObject();
            i.addProperty("size", f.size());
            i.addProperty("blob_id", f.blobId());
            if (f.isLfs()) {
                i.addProperty("lfs_sha256", f.lfsSha256());
                i.addProperty("lfs_size", f.size());
            }
            if (f.xetHash() != null) {
                i.addProperty("xet_hash", f.xetHash());
            }
            all.add(f.path(), i);
        }
        JsonObject o = new JsonObject();
        o.addProperty("format_version", TREE_FORMAT);
        o.add("files", all);
        HfCheckpoint.writeAtomically(treeFile(repo, commit), HfCheckpoint.pretty(o));
    }

    private Path treeFile(HubRepo repo, String commit) {
        return repoFolder(repo).resolve("trees").resolve(commit + ".json");
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
