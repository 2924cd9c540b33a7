package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.SpecialTokens;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.io.TensorInfo;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/** Loads and saves {@link OlmoModel}s in the Hugging Face layout (config.json + safetensors, single or sharded). */
public final class OlmoCheckpoint {
    /** Shards above this size when saving (HF's default is 5 GB; smaller keeps memory maps modest). */
    public static final long SHARD_BYTES = 2L << 30;
    private static final String TOKENIZER = "tokenizer.json";

    private OlmoCheckpoint() {}

    /** What {@code bolmo4j info} prints. */
    public record Summary(OlmoConfig config, long parameters, String weights, String tokenizer) {}

    /**
     * Reads {@code config.json} and every tensor (F32/F16/BF16 → fp32) of a checkpoint of a supported family
     * ({@link OlmoConfig.Family}); weights the config does not describe, and non-finite values, are errors.
     */
    public static OlmoModel load(Path dir) {
        return load(dir, WeightType.FLOAT32);
    }

    /**
     * Reads a checkpoint with its weight matrices held as {@code type} (vectors in fp32), each tensor
     * streamed once from the file into the engine.
     */
    public static OlmoModel load(Path dir, WeightType type) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            OlmoConfig cfg = OlmoConfig.fromJson(ckpt.config(), dir.resolve("config.json").toString());
            Map<String, long[]> shapes = expectedShapes(cfg);
            ckpt.requireNoneUnused(knownTensors(cfg));
            Params params = Params.create();
            try {
                params.loadAll(ckpt, shapes, n -> shapes.get(n).length == 2
                        ? type.matrixType(ckpt.info(n, shapes.get(n)).dtype()) : DataType.FLOAT32,
                        TransformerStack.fusedMatrices(cfg));
                return new OlmoModel(cfg, params);
            } catch (RuntimeException e) {
                params.close();
                throw e;
            }
        }
    }

    /**
     * Writes {@code config.json} and the weights ({@code bf16} halves the size; fp32 keeps them exact), plus extra
     * files such as {@code tokenizer.json}, atomically per file. Where {@code extraFiles} lack them, a
     * {@code generation_config.json} with the config's special ids and, beside a {@code tokenizer.json}, a
     * {@code tokenizer_config.json} naming its special tokens are added, as transformers saves a model.
     */
    public static void save(OlmoModel model, Path dir, boolean bf16, Map<String, byte[]> extraFiles) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.params().asMap().entrySet()) {
            float[] data = Ops.toFloats(e.getValue());
            long[] shape = e.getValue().getShape().getShape();
            tensors.put(e.getKey(), bf16 ? HostTensor.bf16(data, shape) : HostTensor.f32(data, shape));
        }
        JsonObject cfg = model.config().toJson();
        cfg.addProperty("torch_dtype", bf16 ? "bfloat16" : "float32");
        Map<String, byte[]> files = new LinkedHashMap<>(extraFiles);
        JsonObject generation = generationConfig(cfg);
        if (generation.size() > 0) {
            files.putIfAbsent(SpecialTokens.GENERATION_CONFIG, HfCheckpoint.pretty(generation));
        }
        if (files.containsKey(TOKENIZER) && !files.containsKey(ChatTemplate.TOKENIZER_CONFIG)) {
            BpeTokenizer tok = BpeTokenizer.fromJson(new String(files.get(TOKENIZER), StandardCharsets.UTF_8));
            OlmoConfig c = model.config();
            List<Integer> stops = specialIds(cfg, tok);
            if (!stops.isEmpty()) { // else there is no EOS to name: tokenizer.json alone is what transformers gets
                files.put(ChatTemplate.TOKENIZER_CONFIG, HfCheckpoint.pretty(tokenizerConfig(tok, stops.get(0),
                        c.padTokenId == null ? OptionalInt.empty() : OptionalInt.of(c.padTokenId),
                        c.bosTokenId == null ? OptionalInt.empty() : OptionalInt.of(c.bosTokenId))));
            }
        }
        HfCheckpoint.save(dir, cfg, tensors, SHARD_BYTES, files);
    }

    /** The stop ids, EOS first; none when the config and vocabulary name no special ids (never fails a save). */
    private static List<Integer> specialIds(JsonObject cfg, BpeTokenizer tok) {
        try {
            return SpecialTokens.of(cfg, tok).stops();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** generation_config.json as transformers derives it from config.json: the BOS, EOS and pad ids. */
    static JsonObject generationConfig(JsonObject config) {
        JsonObject g = new JsonObject();
        for (String k : List.of("bos_token_id", "eos_token_id", "pad_token_id")) {
            if (config.has(k) && !config.get(k).isJsonNull()) {
                g.add(k, config.get(k).deepCopy());
            }
        }
        return g;
    }

    /**
     * A tokenizer_config.json for a bare tokenizer.json, as transformers saves a fast tokenizer: its class and the
     * special tokens' strings (AutoTokenizer then knows EOS and padding).
     */
    public static JsonObject tokenizerConfig(BpeTokenizer tok, int eosId, OptionalInt padId, OptionalInt bosId) {
        JsonObject c = new JsonObject();
        c.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        bosId.ifPresent(b -> c.addProperty("bos_token", tok.tokenString(b)));
        c.addProperty("eos_token", tok.tokenString(eosId));
        padId.ifPresent(p -> c.addProperty("pad_token", tok.tokenString(p)));
        c.addProperty("clean_up_tokenization_spaces", false);
        return c;
    }


    /** Summary without loading the weights into the engine. */
    public static Summary summary(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            OlmoConfig cfg = OlmoConfig.fromJson(ckpt.config(), dir.resolve("config.json").toString());
            List<TensorInfo> infos = ckpt.names().stream().map(ckpt::info).toList();
            long stored = infos.stream().mapToLong(TensorInfo::elements).sum();
            Set<DType> dtypes = infos.stream().map(TensorInfo::dtype).collect(Collectors.toCollection(LinkedHashSet::new));
            String weights = ckpt.files().size() + " file(s), " + String.format("%,d", stored) + " values " + dtypes;
            Path tok = dir.resolve("tokenizer.json");
            String tokenizer = Files.exists(tok) ? tok.getFileName().toString() : "none (tokenizer.json missing)";
            return new Summary(cfg, cfg.parameterCount(), weights, tokenizer);
        }
    }

    /**
     * The tensors a checkpoint of {@code cfg} may hold: {@link #expectedShapes}' and, when tied, an {@code lm_head.weight}
     * (a copy of the embedding some exporters keep; transformers ignores it).
     */
    public static Set<String> knownTensors(OlmoConfig cfg) {
        Set<String> known = new LinkedHashSet<>(expectedShapes(cfg).keySet());
        if (cfg.tieWordEmbeddings) {
            known.add(ParameterLayout.LM_HEAD);
        }
        return known;
    }

    /** Every tensor a checkpoint of {@code c} must hold, with its shape (no LM head when tied to the embedding). */
    public static Map<String, long[]> expectedShapes(OlmoConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize;
        m.put(ParameterLayout.EMBED, new long[] {c.vocabSize, d});
        m.putAll(TransformerStack.shapes(c));
        m.put(ParameterLayout.NORM, new long[] {d});
        if (!c.tieWordEmbeddings) {
            m.put(ParameterLayout.LM_HEAD, new long[] {c.vocabSize, d});
        }
        return m;
    }
}
