package io.bolmo4j.bolmo;

import com.google.gson.JsonObject;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bolmo checkpoints in the Hugging Face layout of allenai/Bolmo-1B (docs/bolmo.md §1.2-1.3). The teacher's subword vocabulary
 * (for the suffix embeddings) is the {@code tokenizer.json} inside the directory, written there on save, or else the
 * local directory named by {@code tokenizer_config.original_identifier}.
 */
public final class BolmoCheckpoint {
    private BolmoCheckpoint() {}

    /** True when {@code dir/config.json} says {@code model_type: bolmo}. */
    public static boolean isBolmo(Path dir) {
        try {
            JsonObject cfg = com.google.gson.JsonParser.parseString(Files.readString(dir.resolve(HfCheckpoint.CONFIG)))
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

    public static BolmoModel load(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            BolmoConfig cfg = BolmoConfig.fromJson(ckpt.config(), dir.resolve(HfCheckpoint.CONFIG).toString());
            Map<String, long[]> shapes = cfg.tensorShapes();
            ckpt.requireNoneUnused(shapes.keySet());
            Params p = Params.create();
            try {
                for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                    p.put(e.getKey(), ckpt.readFloats(e.getKey(), e.getValue()), e.getValue());
                }
                return new BolmoModel(cfg, p);
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
    }

    /** The teacher tokenizer whose vocabulary defines the subword-suffix ids. */
    public static BpeTokenizer subwordTokenizer(Path dir) {
        Path local = dir.resolve("tokenizer.json");
        if (Files.exists(local)) {
            return BpeTokenizer.load(local);
        }
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            String original = BolmoConfig.fromJson(ckpt.config(), dir.toString()).originalTokenizer();
            if (original != null && Files.exists(dir.resolve(original).resolve("tokenizer.json"))) {
                return BpeTokenizer.load(dir.resolve(original).resolve("tokenizer.json"));
            }
            throw new CheckpointException(dir + ": no tokenizer.json, and tokenizer_config.original_identifier ('"
                    + original + "') is not a local directory with one; copy the teacher's tokenizer.json here");
        }
    }

    /** Writes config.json, the weights and the teacher's tokenizer.json + tokenizer_config.json. */
    public static void save(BolmoModel model, Path dir, boolean bf16, String teacherTokenizerJson) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        model.params().asMap().forEach((name, a) -> {
            float[] data = a.toFloatArray();
            long[] shape = a.getShape().getShape();
            tensors.put(name, bf16 ? HostTensor.bf16(data, shape) : HostTensor.f32(data, shape));
        });
        JsonObject cfg = model.config().toJson();
        cfg.addProperty("torch_dtype", bf16 ? "bfloat16" : "float32");
        JsonObject tokCfg = new JsonObject();
        tokCfg.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        tokCfg.addProperty("eos_token", BpeTokenizer.END_OF_TEXT);
        tokCfg.addProperty("model_max_length", 1 << 20);
        Map<String, byte[]> extra = new LinkedHashMap<>();
        extra.put("tokenizer.json", teacherTokenizerJson.getBytes(StandardCharsets.UTF_8));
        extra.put("tokenizer_config.json", (tokCfg + "\n").getBytes(StandardCharsets.UTF_8));
        HfCheckpoint.save(dir, cfg, tensors, io.bolmo4j.olmo.OlmoCheckpoint.SHARD_BYTES, extra);
    }
}
