package io.bolmo4j.export;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.chat.SpecialTokens;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.Setting;
import io.bolmo4j.train.SettingsRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;

import static io.bolmo4j.train.Settings.require;

/**
 * Hands a Stage 1 or Stage 2 recipe to bolmo-core (Ai2's OLMo-core fork that trained the released Bolmo models, with
 * FSDP over many GPUs): writes a run directory with the training data pre-tokenized in OLMo-core's numpy format, the
 * recipe in bolmo-core's configuration names ({@link BolmoCoreRecipe}), the teacher's tokenizer, a {@code torchrun}
 * launch script and a README, all against bolmo-core revision {@link #REVISION}. {@link BolmoCoreImport} brings the
 * resulting checkpoint back.
 */
public final class BolmoCoreExport {
    /** The allenai/bolmo-core commit whose scripts, configuration classes and data format the export follows. */
    public static final String REVISION = "7f3c6b5af2e84e47cccc536f8d23a746a5c924d4";
    /** What the run directory records about itself (read back by {@link BolmoCoreImport}). */
    public static final String RUN_FILE = "bolmo4j-run.json";
    /** Ids per array file (about 4 GB of uint32). */
    public static final long DEFAULT_TOKENS_PER_FILE = 1L << 30;

    private BolmoCoreExport() {}

    /**
     * Where and how a run is laid out: the training data, the run directory and the run's settings (those of the
     * {@code cluster}, and {@code checkpointEvery}, {@code tokensPerFile}), which the DSL and the command line change by
     * name ({@link #with}).
     *
     * @param data training text: files or directories of plain text or Dolma JSONL(.gz)
     * @param out  the run directory to write
     */
    public record Layout(
            List<Path> data,
            Path out,
            BolmoCoreRecipe.Cluster cluster,
            @Setting("steps between bolmo-core checkpoints") int checkpointEvery,
            @Setting("token ids per array file of the pre-tokenized data") long tokensPerFile) implements SettingsRecord<Layout> {
        public Layout {
            data = List.copyOf(data);
            require(checkpointEvery >= 1, "checkpointEvery", "an integer >= 1", checkpointEvery);
            require(tokensPerFile >= 1, "tokensPerFile", "an integer >= 1", tokensPerFile);
        }

        /** The default settings, with no data or run directory yet ({@link #at}): a checkpoint every 1000 steps. */
        public static Layout defaults() {
            return new Layout(List.of(), null, BolmoCoreRecipe.Cluster.defaults(), 1000, DEFAULT_TOKENS_PER_FILE);
        }

        /** These settings for {@code data} and the run directory {@code out}. */
        public Layout at(List<Path> data, Path out) {
            return new Layout(data, out, cluster, checkpointEvery, tokensPerFile);
        }
    }

    /**
     * Exports Stage 1 of byteifying {@code teacher} (a Hugging Face OLMo 2 / Olmo 3 directory).
     *
     * @param bolmo the Bolmo to train (local architecture); null = {@link BolmoConfig#fromTeacher}
     */
    public static ExportedRun stage1(Path teacher, BolmoConfig bolmo, Stage1.Config config, Layout layout) {
        Teacher t = Teacher.of(teacher, bolmo);
        return write(t, 1, config, layout, m -> BolmoCoreRecipe.stage1(config, t.bolmo, m.bytesPerToken(),
                layout.cluster(), layout.checkpointEvery()));
    }

    /**
     * Exports Stage 2. {@code teacher} is the OLMo teacher or the Bolmo directory whose Stage 1 is continued; bolmo-core
     * starts from its own Stage 1 checkpoint (STAGE1_CKPT_PATH).
     */
    public static ExportedRun stage2(Path teacher, BolmoConfig bolmo, Stage2.Config config, Layout layout) {
        Teacher t = Teacher.of(teacher, bolmo);
        return write(t, 2, config, layout, m -> BolmoCoreRecipe.stage2(config, t.bolmo, m.bytesPerToken(),
                layout.cluster(), layout.checkpointEvery()));
    }

    /** The Bolmo a teacher directory is byteified into ({@link BolmoConfig#fromTeacher}), or a Bolmo directory's own. */
    public static BolmoConfig bolmoConfig(Path teacher) {
        return Teacher.of(teacher, null).bolmo;
    }

    /** The teacher side of an export: its directory, tokenizer, end-of-document id and the Bolmo config. */
    private record Teacher(Path dir, Path tokenizerJson, BpeTokenizer tokenizer, int eosId, BolmoConfig bolmo) {
        static Teacher of(Path dir, BolmoConfig bolmo) {
            Path tokJson = dir.resolve("tokenizer.json");
            if (!Files.isRegularFile(tokJson)) {
                throw new IllegalArgumentException(dir + ": no tokenizer.json (the teacher's tokenizer tokenizes the data)");
            }
            if (BolmoCheckpoint.isBolmo(dir)) {
                BpeTokenizer tok = BolmoCheckpoint.subwordTokenizer(dir);
                BolmoConfig own = BolmoCheckpoint.config(dir);
                return new Teacher(dir, tokJson, tok, tok.eosId(), bolmo != null ? bolmo : own);
            }
            BpeTokenizer vocabulary = BpeTokenizer.load(tokJson);
            // the end-of-document id: the directory's end-of-text token (Qwen 3 declares <|im_end|> too, which ends turns)
            BpeTokenizer tok = vocabulary.withDocumentTokens(SpecialTokens.read(dir, vocabulary, null).document());
            OlmoConfig cfg;
            try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
                cfg = OlmoConfig.fromJson(ckpt.config(), dir.resolve(HfCheckpoint.CONFIG).toString());
            }
            return new Teacher(dir, tokJson, tok, tok.eosId(), bolmo != null ? bolmo : BolmoConfig.fromTeacher(cfg, tok.vocabSize()));
        }
    }

    private static ExportedRun write(Teacher t, int stage, Record config, Layout layout,
                                     Function<PretokenizedData.Manifest, BolmoCoreRecipe> recipeOf) {
        Path out = layout.out();
        try {
            Files.createDirectories(out);
            // bolmo-core's NumpyByteFSLDataset reads uint32 whatever the vocabulary size
            PretokenizedData.Manifest data = PretokenizedData.write(layout.data(), t.tokenizerJson, t.tokenizer, t.eosId,
                    TokenDtype.UINT32, out.resolve("data"), layout.tokensPerFile());
            BolmoCoreRecipe recipe = recipeOf.apply(data);
            List<String> blockers = BolmoCoreRequirements.blockers(t.bolmo, t.tokenizer, t.eosId);
            copyTokenizer(t, out.resolve("tokenizer"));
            Path bc = Files.createDirectories(out.resolve("bolmo-core"));
            Files.write(bc.resolve("overrides.txt"), recipe.dotlist());
            Files.writeString(bc.resolve("env.sh"), RunFiles.env(recipe));
            ExportedRun run = new ExportedRun(out, stage, data, recipe, blockers);
            script(out.resolve("launch.sh"), RunFiles.launch(run, layout.cluster()));
            if (stage == 1) {
                script(out.resolve("convert-teacher.sh"), RunFiles.convertTeacher(recipe, t.dir.toAbsolutePath()));
            }
            script(out.resolve("unshard.sh"), RunFiles.unshard());
            Files.writeString(out.resolve("README.md"), RunFiles.readme(run, t.dir.toAbsolutePath(), config));
            Files.writeString(out.resolve(RUN_FILE), runJson(run, t, config, layout) + "\n");
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run directory " + out + ": " + e.getMessage(), e);
        }
    }

    /** The teacher's tokenizer as Hugging Face's AutoTokenizer loads it (bolmo-core's original_identifier). */
    private static void copyTokenizer(Teacher t, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(t.tokenizerJson, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        for (String f : List.of("tokenizer_config.json", "special_tokens_map.json")) {
            if (Files.isRegularFile(t.dir.resolve(f))) {
                Files.copy(t.dir.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!Files.exists(dir.resolve("tokenizer_config.json"))) {
            JsonObject c = OlmoCheckpoint.tokenizerConfig(t.tokenizer, t.eosId, t.tokenizer.padId(), OptionalInt.empty());
            Files.writeString(dir.resolve("tokenizer_config.json"), c + "\n");
        }
    }

    private static void script(Path file, String content) throws IOException {
        Files.writeString(file, content);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: run it with bash
        }
    }

    private static String runJson(ExportedRun run, Teacher t, Record config, Layout layout) {
        Gson g = new Gson();
        JsonObject o = new JsonObject();
        o.addProperty("engine", "bolmo-core");
        o.addProperty("bolmo_core_revision", REVISION);
        o.addProperty("stage", run.stage());
        o.addProperty("teacher", t.dir.toAbsolutePath().toString());
        o.add("stage_config", g.toJsonTree(config));
        o.add("bolmo_config", t.bolmo.toJson());
        o.add("cluster", g.toJsonTree(layout.cluster()));
        o.add("env", g.toJsonTree(run.recipe().env()));
        o.add("overrides", g.toJsonTree(run.recipe().dotlist()));
        o.add("mappings", g.toJsonTree(run.recipe().mappings()));
        o.add("blockers", g.toJsonTree(run.blockers()));
        o.addProperty("data_manifest", "data/" + PretokenizedData.MANIFEST);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }
}
