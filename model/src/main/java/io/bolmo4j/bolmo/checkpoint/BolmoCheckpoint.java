package io.bolmo4j.bolmo.checkpoint;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.TransformerStack;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Bolmo checkpoints in the Hugging Face layout of allenai/Bolmo-1B (docs/bolmo.md §1.2-1.3). The teacher's subword vocabulary
 * (for the suffix embeddings) is the {@code tokenizer.json} inside the directory, written there on save, or else found
 * by {@link SubwordTokenizerFile}.
 */
public final class BolmoCheckpoint {
    private BolmoCheckpoint() {}

    /** True when {@code dir/config.json} says {@code model_type: bolmo}. */
    public static boolean isBolmo(Path dir) {
        if (!Files.isRegularFile(dir.resolve(HfCheckpoint.CONFIG))) {
            return false; // missing, or a named pipe that would block: the OLMo loader reports it
        }
        try {
            JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve(HfCheckpoint.CONFIG)))
                    .getAsJsonObject();
            return cfg.has("model_type") && "bolmo".equals(cfg.get("model_type").getAsString());
        } catch (IOException | RuntimeException e) {
            return false; // not readable as a Bolmo config: the OLMo loader reports the problem
        }
    }

    /** The config of a Bolmo directory, without loading weights. */
    public static BolmoConfig config(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            return BolmoConfig.fromJson(ckpt.config(), dir.resolve(HfCheckpoint.CONFIG).toString());
        }
    }

    /** Loads every tensor as fp32, each streamed once from the file into the engine. */
    public static BolmoModel load(Path dir) {
        return load(dir, WeightType.FLOAT32);
    }

    /** Loads with the global model's weight matrices held as {@code type}; the local models stay fp32. */
    public static BolmoModel load(Path dir, WeightType type) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            BolmoConfig cfg = BolmoConfig.fromJson(ckpt.config(), dir.resolve(HfCheckpoint.CONFIG).toString());
            Set<String> global = TransformerStack.shapes(cfg.global).keySet();
            Map<String, long[]> shapes = cfg.tensorShapes();
            ckpt.requireNoneUnused(shapes.keySet());
            Params p = Params.create();
            try {
                p.loadAll(ckpt, shapes, n -> global.contains(n) && shapes.get(n).length == 2
                        ? type.matrixType(ckpt.info(n, shapes.get(n)).dtype()) : DataType.FLOAT32,
                        TransformerStack.fusedMatrices(cfg.global));
                return new BolmoModel(cfg, p);
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
    }

    /** The teacher tokenizer whose vocabulary defines the subword-suffix ids ({@link SubwordTokenizerFile#find}). */
    public static BpeTokenizer subwordTokenizer(Path dir) {
        Path file = SubwordTokenizerFile.find(dir, null);
        BpeTokenizer t = TeacherTokenizer.ofBolmo(dir, file).tokenizer();
        LoadedBolmo.requireVocabulary(config(dir), t, file.toString());
        return t;
    }

    /** {@link #save(BolmoModel, Path, boolean, TeacherTokenizer)} with a teacher known only by its tokenizer.json. */
    public static void save(BolmoModel model, Path dir, boolean bf16, String teacherTokenizerJson) {
        save(model, dir, bf16, TeacherTokenizer.ofJson(teacherTokenizerJson));
    }

    /**
     * Writes config.json, the weights and the files that let transformers load the folder as a released Bolmo
     * ({@link TransformersFiles}), the teacher's tokenizer among them.
     */
    public static void save(BolmoModel model, Path dir, boolean bf16, TeacherTokenizer teacher) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        model.params().asMap().forEach((name, a) -> {
            float[] data = Ops.toFloats(a);
            long[] shape = a.getShape().getShape();
            tensors.put(name, bf16 ? HostTensor.bf16(data, shape) : HostTensor.f32(data, shape));
        });
        JsonObject cfg = TransformersFiles.config(model.config().toJson(), model.config(), teacher);
        cfg.addProperty("torch_dtype", bf16 ? "bfloat16" : "float32");
        HfCheckpoint.save(dir, cfg, tensors, OlmoCheckpoint.SHARD_BYTES, TransformersFiles.files(model.config(), teacher));
    }
}
