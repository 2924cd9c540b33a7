package io.bolmo4j.bolmo.checkpoint;

import io.bolmo4j.io.CheckpointException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a Bolmo directory's subword vocabulary (its teacher's {@code tokenizer.json}, which defines the suffix
 * embeddings' ids) is found. A released Bolmo (allenai/Bolmo-1B, -7B) ships none; its config.json names the
 * vocabulary in {@code tokenizer_config.original_identifier}, e.g. "allenai/dolma2-tokenizer", which a Hugging Face
 * user has in the hub cache.
 */
public final class SubwordTokenizerFile {
    static final String FILE = "tokenizer.json";

    private SubwordTokenizerFile() {}

    /**
     * In order: {@code dir/tokenizer.json}; {@code explicit} (when not null); {@code original_identifier} as a local
     * directory beside or under {@code dir}; the Hugging Face cache
     * ({@code models--ORG--NAME/snapshots/<refs/main>/tokenizer.json} under {@link #hubCache}).
     *
     * @param env the environment to read {@code HF_HUB_CACHE} / {@code HF_HOME} from ({@code System.getenv()})
     * @throws CheckpointException saying which file to download and where to put it, when none is found
     */
    public static Path find(Path dir, Path explicit, Map<String, String> env) {
        if (explicit != null && !Files.isRegularFile(explicit)) { // a file named is a file wanted, whichever is used
            throw new CheckpointException("subword tokenizer " + explicit + (Files.exists(explicit) ? " is not a regular file"
                    : " does not exist"));
        }
        Path local = dir.resolve(FILE);
        if (Files.exists(local)) {
            return local;
        }
        if (explicit != null) {
            return explicit;
        }
        String original = BolmoCheckpoint.config(dir).originalTokenizer();
        if (original == null) {
            throw new CheckpointException(dir + ": no " + FILE + " and config.json names no tokenizer_config.original_identifier;"
                    + " copy the teacher's " + FILE + " into " + dir);
        }
        Path sibling = dir.resolve(original).resolve(FILE);
        if (Files.exists(sibling)) {
            return sibling;
        }
        Path hub = hubCache(env);
        return inHubCache(hub, original).orElseThrow(() -> new CheckpointException(dir + " has no " + FILE + " and "
                + original + " is not in the Hugging Face cache " + hub + ": download its " + FILE
                + " (huggingface-cli download " + original + " " + FILE + ") or copy it to " + local));
    }

    /** The hub cache: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. */
    public static Path hubCache(Map<String, String> env) {
        String hubCache = env.get("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) {
            return Path.of(hubCache);
        }
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "hub");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    /** {@code repoId}'s file at the revision {@code refs/main} names, if the cache holds it. */
    static Optional<Path> inHubCache(Path hub, String repoId) {
        Path repo = hub.resolve("models--" + repoId.replace("/", "--"));
        Path ref = repo.resolve("refs").resolve("main");
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            Path file = repo.resolve("snapshots").resolve(Files.readString(ref).trim()).resolve(FILE);
            return Files.exists(file) ? Optional.of(file) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref, e);
        }
    }
}
