package io.bolmo4j.bolmo;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.bolmo4j.bolmo.checkpoint.SubwordTokenizerFile;
import io.bolmo4j.mlstm.LocalConfig;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.TransformerStack;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Bolmo's hyperparameters, mirroring the Hugging Face {@code config.json} of allenai/Bolmo-1B / -7B (docs/bolmo.md §1.3).
 * The global model is described by the OLMo keys; the local models by the {@code local_*} keys.
 */
public final class BolmoConfig {
    /** Bolmo's byte vocabulary: 2 × (4 specials + 256 bytes), plain then fused. */
    public static final int BYTE_VOCAB = 520;
    /** θ the released global models were trained with; used when config.json has no rope_theta (docs/bolmo.md §1.3 warning). */
    public static final double TRAINED_ROPE_THETA = 500000.0;
    /**
     * The {@code model_type} of the teacher whose layers are the global model ({@code llama}, {@code qwen3}, ...);
     * absent in the released Bolmos, whose global model is OLMo 2 or Olmo 3 by its layer types.
     */
    public static final String TEACHER_MODEL_TYPE = "teacher_model_type";
    private static final Logger LOG = Logger.getLogger(BolmoConfig.class.getName());
    private static final Gson GSON = new Gson();
    /** config.json keys of the released Bolmo-1B / -7B (docs/bolmo.md §1.3) and of HF configs, read here or by the global model. */
    private static final Set<String> READ = Set.of("model_type", "vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "hidden_act",
            "max_position_embeddings", "rms_norm_eps", "local_rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters",
            "attention_bias", "attention_dropout", "sliding_window", "layer_types", "add_expanded_embeddings",
            "boundary_predictor_lookahead", "boundary_threshold", "num_local_encoder_layers", "num_local_decoder_layers",
            "num_local_heads", "local_intermediate_size", "subword_vocab_size", "tie_word_embeddings",
            "tokenizer_config" /* original_identifier names the teacher's vocabulary; the byte ids are fixed */,
            TEACHER_MODEL_TYPE, "mlp_bias", "use_sliding_window", "max_window_layers");
    /**
     * Keys without effect here: the byte vocabulary's ids are fixed (0 pad, 1 BOS = EOS), weights keep the dtype they
     * are stored in, remote code and HF runtime settings do not apply.
     */
    private static final Set<String> IGNORED = Set.of("architectures", "auto_map", "pad_token_id", "bos_token_id",
            "eos_token_id", "torch_dtype", "dtype", "transformers_version", "use_cache", "initializer_range", "pretraining_tp");

    private final JsonObject raw;
    public final int hiddenSize;
    public final int numLocalEncoderLayers;
    public final int numLocalDecoderLayers;
    public final int numLocalHeads;
    public final int localIntermediateSize;
    public final double rmsNormEps;
    public final double localRmsNormEps;
    public final int subwordVocabSize;
    public final boolean addExpandedEmbeddings;
    public final int boundaryPredictorLookahead;
    public final String boundaryThreshold;
    /** The global model's configuration: the teacher's layer stack (OLMo 2/3, Llama, Qwen 2.5/3). */
    public final OlmoConfig global;

    private BolmoConfig(JsonObject json, String source) {
        raw = json.deepCopy();
        OlmoConfig.Keys k = new OlmoConfig.Keys(json, source);
        String type = k.string("model_type");
        if (!type.equals("bolmo")) {
            throw new IllegalArgumentException(source + ": model_type is '" + type + "', expected 'bolmo'");
        }
        int vocab = k.positive("vocab_size");
        if (vocab != BYTE_VOCAB) {
            throw new IllegalArgumentException(source + ": vocab_size must be " + BYTE_VOCAB + ", got " + vocab);
        }
        hiddenSize = k.positive("hidden_size");
        numLocalEncoderLayers = k.optInt("num_local_encoder_layers", 1);
        numLocalDecoderLayers = k.optInt("num_local_decoder_layers", 4);
        numLocalHeads = k.optInt("num_local_heads", 16);
        localIntermediateSize = k.positive("local_intermediate_size");
        rmsNormEps = k.positiveDouble("rms_norm_eps", 1e-6);
        localRmsNormEps = k.positiveDouble("local_rms_norm_eps", 1e-5);
        subwordVocabSize = k.positive("subword_vocab_size");
        addExpandedEmbeddings = k.optBool("add_expanded_embeddings", true);
        boundaryPredictorLookahead = k.optInt("boundary_predictor_lookahead", 1);
        if (boundaryPredictorLookahead != 0 && boundaryPredictorLookahead != 1) {
            throw new IllegalArgumentException(source + ": boundary_predictor_lookahead must be 1 (Bolmo's non-causal"
                    + " predictor) or 0 (causal, for the paper's Table 3 comparison), got " + boundaryPredictorLookahead);
        }
        boundaryThreshold = k.optString("boundary_threshold", "sample:0");
        if (!boundaryThreshold.equals("sample:0")) {
            throw new IllegalArgumentException(source + ": boundary_threshold '" + boundaryThreshold
                    + "' is not supported (only \"sample:0\": a boundary where its probability exceeds 0.5)");
        }
        List<String> unknown = unknownKeys(json);
        if (!unknown.isEmpty()) {
            LOG.warning(source + ": unknown config.json keys, kept but not used: " + unknown);
        }
        global = OlmoConfig.fromJson(globalJson(json, source), source + " (global model)");
        localConfig(); // validates heads against d
    }

    /** Keys that are neither read nor known to be without effect (reported when the config is parsed). */
    public static List<String> unknownKeys(JsonObject json) {
        return json.keySet().stream().filter(key -> !READ.contains(key) && !IGNORED.contains(key)).sorted().toList();
    }

    /** Parses a Bolmo {@code config.json}; {@code source} is named in errors. */
    public static BolmoConfig fromJson(JsonObject json, String source) {
        return new BolmoConfig(json, source);
    }

    /**
     * The Bolmo configuration for byteifying {@code teacher} (paper Table 7, scaled): the global model is the teacher's
     * layer stack; local models use the teacher's width d, 16 mLSTM heads (fewer when d/2 is not divisible by 16),
     * a SwiGLU of 4d/3 rounded up to a multiple of 128 (32 below d = 512), which gives 2816 for d = 2048 and 5504 for
     * d = 4096 as released; 1 encoder and 4 decoder layers.
     *
     * @param subwordVocabSize ids of the teacher's tokenizer (the unpadded vocabulary, e.g. 100278 for dolma2)
     */
    public static BolmoConfig fromTeacher(OlmoConfig teacher, int subwordVocabSize) {
        JsonObject j = teacher.toJson();
        int d = teacher.hiddenSize;
        int heads = 16;
        while ((d / 2) % heads != 0) {
            heads /= 2;
        }
        int multiple = d >= 512 ? 128 : 32;
        int ffn = (int) Math.ceil(4.0 * d / 3 / multiple) * multiple;
        j.addProperty("model_type", "bolmo");
        j.addProperty(TEACHER_MODEL_TYPE, teacher.modelType);
        // explicit: a Bolmo config without layer_types means Olmo 3's sliding pattern (§1.3)
        j.add("layer_types", GSON.toJsonTree(teacher.layerTypes));
        j.add("architectures", GSON.toJsonTree(List.of("BolmoForCausalLM")));
        j.addProperty("vocab_size", BYTE_VOCAB);
        j.addProperty("rope_theta", teacher.ropeTheta);
        j.addProperty("local_rms_norm_eps", 1e-5);
        j.addProperty("num_local_encoder_layers", 1);
        j.addProperty("num_local_decoder_layers", 4);
        j.addProperty("num_local_heads", heads);
        j.addProperty("local_intermediate_size", ffn);
        j.addProperty("subword_vocab_size", subwordVocabSize);
        j.addProperty("add_expanded_embeddings", true);
        j.addProperty("boundary_predictor_lookahead", 1);
        j.addProperty("boundary_threshold", "sample:0");
        j.addProperty("pad_token_id", 0);
        j.addProperty("bos_token_id", 1);
        j.addProperty("eos_token_id", 1);
        j.addProperty("tie_word_embeddings", false);
        j.add("tokenizer_config", tokenizerConfig(SubwordTokenizerFile.TEACHER_FOLDER)); // saved beside the weights
        return new BolmoConfig(j, "<from teacher>");
    }

    /** The byte tokenizer block of config.json (docs/bolmo.md §1.3). */
    static JsonObject tokenizerConfig(String originalIdentifier) {
        JsonObject t = new JsonObject();
        t.addProperty("vocab_size", BYTE_VOCAB);
        t.addProperty("bos_token_id", 1);
        t.addProperty("pad_token_id", 0);
        t.addProperty("eos_token_id", 1);
        t.addProperty("bpe_token_end_id", 3);
        t.add("special_tokens", GSON.toJsonTree(ByteTokenizer.SPECIALS));
        t.addProperty("special_tokens_first", true);
        t.addProperty("original_identifier", originalIdentifier);
        return t;
    }

    /** A copy with some keys replaced (e.g. {@code with("num_local_decoder_layers", 2)}). */
    public BolmoConfig with(String key, Object value) {
        return new BolmoConfig(OlmoConfig.with(raw, key, value), "<config>");
    }

    public JsonObject toJson() {
        return raw.deepCopy();
    }

    /** {@code tokenizer_config.original_identifier}: where the teacher's subword vocabulary came from. */
    public String originalTokenizer() {
        JsonElement t = raw.get("tokenizer_config");
        return t != null && t.isJsonObject() && t.getAsJsonObject().has("original_identifier")
                ? t.getAsJsonObject().get("original_identifier").getAsString() : null;
    }

    /** Fails when the {@code patches} patches of a text of {@code bytes} bytes do not fit the global model's context. */
    public void checkPatches(int bytes, int patches) {
        if (patches > global.maxPositionEmbeddings) {
            throw new IllegalArgumentException("the text's " + bytes + " bytes form " + patches + " patches, more than the"
                    + " global model's context of " + global.maxPositionEmbeddings + " (max_position_embeddings)");
        }
    }

    /** The family of the teacher whose layers are the global model ({@code olmo2}, {@code llama}, {@code qwen3}, ...). */
    public String teacherFamily() {
        return global.modelType;
    }

    /** Dimensions of the local encoder/decoder layers (pre-norm eps = rms_norm_eps, docs/bolmo.md §3.1). */
    public LocalConfig localConfig() {
        return new LocalConfig(hiddenSize, numLocalHeads, localIntermediateSize, (float) rmsNormEps);
    }

    /**
     * Every tensor of a Bolmo checkpoint in Hugging Face naming (docs/bolmo.md §1.2), with its shape: the local encoder's
     * with the boundary predictor's, the global model's, the local decoder's and the head's, each as its component
     * names it.
     */
    public Map<String, long[]> tensorShapes() {
        Map<String, long[]> m = new LinkedHashMap<>(LocalEncoder.tensors(this).shapes());
        m.putAll(BoundaryPredictor.tensors(this).shapes());
        m.putAll(TransformerStack.shapes(global));
        m.putAll(LocalDecoder.tensors(this).shapes());
        m.putAll(BolmoModel.head(this).shapes());
        return m;
    }

    /** Total parameter count, summed over {@link #tensorShapes()}. */
    public long parameterCount() {
        return tensorShapes().values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }

    /**
     * The teacher's view of the global model: the Bolmo keys minus the local ones, with the byte vocabulary; its
     * family is {@value #TEACHER_MODEL_TYPE}, else OLMo 2 or Olmo 3 by the layer types.
     */
    private static JsonObject globalJson(JsonObject bolmo, String source) {
        JsonObject g = bolmo.deepCopy();
        JsonElement lt = g.get("layer_types");
        JsonElement teacherType = g.remove(TEACHER_MODEL_TYPE);
        // BolmoConfig's default for absent layer_types is Olmo 3's pattern (3 sliding : 1 full), docs/bolmo.md §1.3.
        boolean sliding = lt == null || lt.isJsonNull() || lt.toString().contains(OlmoConfig.SLIDING);
        g.addProperty("model_type", teacherType != null && !teacherType.isJsonNull() ? teacherType.getAsString()
                : sliding ? "olmo3" : "olmo2");
        JsonElement theta = g.get("rope_theta");
        if (theta == null || theta.isJsonNull()) {
            LOG.warning(source + ": no rope_theta; using " + TRAINED_ROPE_THETA
                    + " (Bolmo's global models were trained with it; BolmoConfig's class default 10000 would be wrong)");
            g.addProperty("rope_theta", TRAINED_ROPE_THETA);
        }
        JsonElement maxPos = g.get("max_position_embeddings");
        if (maxPos == null || maxPos.isJsonNull() || maxPos.getAsInt() <= 0) {
            g.addProperty("max_position_embeddings", 1 << 20); // -1 in released configs: RoPE has no hard limit
        }
        g.remove("tie_word_embeddings");
        return g;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "bolmo(d=%d, local heads=%d, local ffn=%d, encoder=%d, decoder=%d, subword vocab=%d, global=%s)",
                hiddenSize, numLocalHeads, localIntermediateSize, numLocalEncoderLayers, numLocalDecoderLayers,
                subwordVocabSize, global);
    }
}
