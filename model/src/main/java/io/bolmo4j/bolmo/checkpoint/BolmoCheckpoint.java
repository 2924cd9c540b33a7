package io.bolmo4j.bolmo.checkpoint;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.TransformerStack;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.DocumentTokens;
import io.bolmo4j.tokenizer.TokenizerException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        return SubwordTokenizerFile.load(SubwordTokenizerFile.find(dir, null, System.getenv()));
    }

    /** Writes config.json, the weights and the teacher's tokenizer.json + tokenizer_config.json. */
    public static void save(BolmoModel model, Path dir, boolean bf16, String teacherTokenizerJson) {
        save(model, dir, bf16, tokenizerFiles(teacherTokenizerJson));
    }

    /**
     * Writes config.json, the weights and the teacher's tokenizer files ({@link #tokenizerFiles(String, BpeTokenizer,
     * ChatTemplate)}).
     */
    public static void save(BolmoModel model, Path dir, boolean bf16, Map<String, byte[]> teacherTokenizerFiles) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        model.params().asMap().forEach((name, a) -> {
            float[] data = Ops.toFloats(a);
            long[] shape = a.getShape().getShape();
            tensors.put(name, bf16 ? HostTensor.bf16(data, shape) : HostTensor.f32(data, shape));
        });
        JsonObject cfg = model.config().toJson();
        cfg.addProperty("torch_dtype", bf16 ? "bfloat16" : "float32");
        HfCheckpoint.save(dir, cfg, tensors, OlmoCheckpoint.SHARD_BYTES, teacherTokenizerFiles);
    }

    /**
     * The teacher's tokenizer files for a tokenizer.json alone: its document tokens by their usual names, no template.
     * A text bolmo4j cannot read as a tokenizer is stored as given, without them (loading the Bolmo reports it).
     */
    public static Map<String, byte[]> tokenizerFiles(String teacherTokenizerJson) {
        BpeTokenizer teacher;
        try {
            teacher = BpeTokenizer.fromJson(teacherTokenizerJson);
        } catch (TokenizerException e) {
            teacher = null;
        }
        return tokenizerFiles(teacherTokenizerJson, teacher, null);
    }

    /**
     * The teacher's tokenizer.json and a tokenizer_config.json for it, as a Bolmo directory carries them: the teacher's
     * BOS, end-of-text and pad tokens ({@code bos_token}, {@code eos_token}, {@code pad_token}: what the byte BOS stands
     * for when the directory is loaded again, {@link SubwordTokenizerFile#load}) and its chat template, if any.
     *
     * @param teacher the teacher's tokenizer with its document tokens, or null when there is none to name
     */
    public static Map<String, byte[]> tokenizerFiles(String teacherTokenizerJson, BpeTokenizer teacher, ChatTemplate template) {
        JsonObject tokCfg = new JsonObject();
        tokCfg.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        if (teacher != null) {
            DocumentTokens doc = teacher.documentTokens();
            doc.bos().ifPresent(id -> tokCfg.addProperty("bos_token", teacher.tokenString(id)));
            doc.endOfText().ifPresent(id -> tokCfg.addProperty("eos_token", teacher.tokenString(id)));
            doc.pad().ifPresent(id -> tokCfg.addProperty("pad_token", teacher.tokenString(id)));
        }
        tokCfg.addProperty("model_max_length", 1 << 20);
        if (template != null) {
            tokCfg.addProperty("chat_template", template.source());
        }
        Map<String, byte[]> extra = new LinkedHashMap<>();
        extra.put("tokenizer.json", teacherTokenizerJson.getBytes(StandardCharsets.UTF_8));
        extra.put("tokenizer_config.json", (tokCfg + "\n").getBytes(StandardCharsets.UTF_8));
        return extra;
    }
}
