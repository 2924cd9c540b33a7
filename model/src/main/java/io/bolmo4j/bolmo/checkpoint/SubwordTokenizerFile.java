package io.bolmo4j.bolmo.checkpoint;

import io.bolmo4j.hub.Hub;
import io.bolmo4j.hub.HubRepo;
import io.bolmo4j.hub.HubSettings;
import io.bolmo4j.io.CheckpointException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a Bolmo directory's subword vocabulary (its teacher's {@code tokenizer.json}, which defines the suffix
 * embeddings' ids) is found. A released Bolmo (allenai/Bolmo-1B, -7B) ships none; its config.json names the
 * vocabulary in {@code tokenizer_config.original_identifier}, e.g. "allenai/dolma2-tokenizer", which a Hugging Face
 * user has in the hub cache.
 */
public final class SubwordTokenizerFile {
    static final String FILE = "tokenizer.json";
    /** The folder of a saved Bolmo that holds its teacher's tokenizer files (tokenizer.json, its config, chat template). */
    public static final String TEACHER_FOLDER = "teacher";
    /** What a tokenizer repository holds for transformers' AutoTokenizer: its top-level JSON files and templates. */
    private static final Predicate<String> TOKENIZER_FILES = f -> !f.contains("/") && (f.endsWith(".json") || f.endsWith(".jinja"));

    private SubwordTokenizerFile() {}

    /** {@link #find(Path, Path, Map)} with the hub settings of this process ({@link HubSettings#current()}). */
    public static Path find(Path dir, Path explicit) {
        return find(dir, explicit, HubSettings.current());
    }

    /**
     * In order: {@code dir/tokenizer.json}; {@code explicit} (when not null); {@code dir/teacher/tokenizer.json} (where
     * bolmo4j saves the teacher's tokenizer); {@code original_identifier} as a local directory beside or under
     * {@code dir}; the Hugging Face cache ({@code models--ORG--NAME/snapshots/<refs/main>/tokenizer.json}, see
     * {@link HubSettings}).
     *
     * @param env the environment to read {@code HF_HUB_CACHE} / {@code HF_HOME} from ({@code System.getenv()})
     * @throws CheckpointException saying which file to download and where to put it, when none is found
     */
    public static Path find(Path dir, Path explicit, Map<String, String> env) {
        return find(dir, explicit, HubSettings.from(env));
    }

    private static Path find(Path dir, Path explicit, HubSettings settings) {
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
        Path saved = dir.resolve(TEACHER_FOLDER).resolve(FILE);
        if (Files.exists(saved)) {
            return saved;
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
        Hub hub = new Hub(settings);
        return inHubCache(hub, dir, original).orElseThrow(() -> new CheckpointException(dir + " has no " + FILE + " and "
                + original + " is not in the Hugging Face cache " + hub.settings().cache() + ": download its " + FILE
                + " (bolmo4j download " + original + " --include " + FILE + ", or huggingface-cli download " + original + " "
                + FILE + ") or copy it to " + local));
    }

    /**
     * {@code repoId}'s tokenizer.json in the hub cache. A Bolmo that itself came from the Hub (its folder is a cache
     * snapshot) brings its tokenizer from there too, as transformers would, unless HF_HUB_OFFLINE is set.
     */
    private static Optional<Path> inHubCache(Hub hub, Path dir, String repoId) {
        if (!HubRepo.looksLike(repoId)) {
            return Optional.empty();
        }
        HubRepo repo = HubRepo.parse(repoId);
        Optional<Path> cached = hub.cachedFile(repo, FILE);
        if (cached.isPresent() || hub.settings().offline() || Hub.repoOf(dir).isEmpty()) {
            return cached;
        }
        return Optional.of(hub.resolve(repo, TOKENIZER_FILES).resolve(FILE)).filter(Files::exists);
    }
}
