package io.bolmo4j.olmo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The hyperparameters of a subword decoder from Hugging Face's {@code config.json}, key by key: OLMo 2 / Olmo 3
 * ({@code Olmo2Config} / {@code Olmo3Config}) and the families that share its layer with named differences
 * ({@link Family}): Llama 3.x and SmolLM2 ({@code llama}), Qwen 2.5 ({@code qwen2}) and Qwen 3 ({@code qwen3}). As
 * in Hugging Face's modular files, one implementation ({@link TransformerStack}) reads the differences from the
 * fields below: where the norms sit, which query/key norm, which biases, tied embeddings, RoPE scaling. Unknown keys
 * are kept, so {@link #toJson()} writes them back.
 */
public final class OlmoConfig {
    public static final String FULL = "full_attention";
    public static final String SLIDING = "sliding_attention";

    /** Where a layer's RMSNorms sit. */
    public enum NormPlacement {
        /** Llama, Qwen: {@code x + Attn(Norm(x))}, {@code x + MLP(Norm(x))} ({@code input_layernorm}, {@code post_attention_layernorm}). */
        PRE,
        /** OLMo 2/3 ("reordered norm"): {@code x + Norm(Attn(x))}, {@code x + Norm(MLP(x))} ({@code post_attention_layernorm}, {@code post_feedforward_layernorm}). */
        POST
    }

    /** The RMSNorm of queries and keys before RoPE. */
    public enum QkNorm {
        NONE,
        /** OLMo 2/3: over the whole projection (all heads at once), weights {@code [heads·head_dim]}. */
        WHOLE_PROJECTION,
        /** Qwen 3: over each head, weights {@code [head_dim]}. */
        PER_HEAD
    }

    /** A supported {@code model_type} and what sets its layers apart. */
    public enum Family {
        OLMO2("olmo2", "Olmo2ForCausalLM", NormPlacement.POST, QkNorm.WHOLE_PROJECTION),
        OLMO3("olmo3", "Olmo3ForCausalLM", NormPlacement.POST, QkNorm.WHOLE_PROJECTION),
        LLAMA("llama", "LlamaForCausalLM", NormPlacement.PRE, QkNorm.NONE),
        QWEN2("qwen2", "Qwen2ForCausalLM", NormPlacement.PRE, QkNorm.NONE),
        QWEN3("qwen3", "Qwen3ForCausalLM", NormPlacement.PRE, QkNorm.PER_HEAD);

        public final String modelType;
        public final String architecture;
        public final NormPlacement normPlacement;
        public final QkNorm qkNorm;

        Family(String modelType, String architecture, NormPlacement normPlacement, QkNorm qkNorm) {
            this.modelType = modelType;
            this.architecture = architecture;
            this.normPlacement = normPlacement;
            this.qkNorm = qkNorm;
        }

        /** The family of a {@code model_type}, or an error listing the supported ones. */
        public static Family of(String modelType, String source) {
            for (Family f : values()) {
                if (f.modelType.equals(modelType)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(source + ": unsupported model_type '" + modelType + "' (supported: "
                    + Arrays.stream(values()).map(f -> f.modelType).collect(Collectors.joining(", "))
                    + (modelType.equals("bolmo") ? "; load Bolmo directories with Bolmo" : "") + ")");
        }

        /** OLMo 2 or Olmo 3: the teachers bolmo-core's scripts know. */
        public boolean isOlmo() {
            return this == OLMO2 || this == OLMO3;
        }
    }

    public final String modelType;
    public final Family family;
    public final NormPlacement normPlacement;
    public final QkNorm qkNorm;
    /** Biases on the q/k/v projections (Qwen 2.5 always; others with {@code attention_bias}). */
    public final boolean qkvBias;
    /** A bias on the attention output projection ({@code attention_bias}; never in Qwen 2.5). */
    public final boolean outputBias;
    /** Biases in the SwiGLU projections (Llama's {@code mlp_bias}). */
    public final boolean mlpBias;
    /** The LM head is the input embedding ({@code tie_word_embeddings}: SmolLM2, Llama 3.2, small Qwens). */
    public final boolean tieWordEmbeddings;
    public final int vocabSize;
    public final int hiddenSize;
    public final int intermediateSize;
    public final int numHiddenLayers;
    public final int numAttentionHeads;
    public final int numKeyValueHeads;
    public final int headDim;
    public final int maxPositionEmbeddings;
    public final double ropeTheta;
    /** {@code rope_scaling} (or flat {@code rope_parameters}) for full-attention layers; null = default RoPE. */
    public final JsonObject ropeScaling;
    /** Whether sliding-window layers use {@link #ropeScaling} too (Qwen) or plain RoPE (Olmo 3). */
    public final boolean slidingLayersScaleRope;
    public final double rmsNormEps;
    public final int slidingWindow;
    /** One entry per layer: {@link #FULL} or {@link #SLIDING}. */
    public final List<String> layerTypes;
    public final Integer bosTokenId;
    public final Integer padTokenId;
    private final JsonObject raw;

    private OlmoConfig(JsonObject json, String source) {
        this.raw = json.deepCopy();
        Keys k = new Keys(json, source);
        modelType = k.string("model_type");
        family = Family.of(modelType, source);
        normPlacement = family.normPlacement;
        qkNorm = family.qkNorm;
        boolean attentionBias = k.optBool("attention_bias", false);
        qkvBias = family == Family.QWEN2 || attentionBias;
        outputBias = family != Family.QWEN2 && attentionBias;
        mlpBias = k.optBool("mlp_bias", false);
        tieWordEmbeddings = k.optBool("tie_word_embeddings", false);
        vocabSize = k.positive("vocab_size");
        hiddenSize = k.positive("hidden_size");
        intermediateSize = k.positive("intermediate_size");
        numHiddenLayers = k.positive("num_hidden_layers");
        numAttentionHeads = k.positive("num_attention_heads");
        numKeyValueHeads = k.optInt("num_key_value_heads", numAttentionHeads);
        if (numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException(source + ": num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        boolean explicitHeadDim = json.has("head_dim") && !json.get("head_dim").isJsonNull();
        if (!explicitHeadDim && family != Family.QWEN3 && hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException(source + ": hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        // Qwen3Config's head_dim defaults to 128, the others' to hidden_size / num_attention_heads.
        headDim = k.optInt("head_dim", family == Family.QWEN3 ? 128 : hiddenSize / numAttentionHeads);
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException(source + ": head_dim must be positive and even for RoPE, got " + headDim);
        }
        maxPositionEmbeddings = k.optInt("max_position_embeddings", family == Family.QWEN2 || family == Family.QWEN3 ? 32768 : 2048);
        if (maxPositionEmbeddings < 1) {
            throw k.wrong("max_position_embeddings", "a positive integer");
        }
        rmsNormEps = k.positiveDouble("rms_norm_eps", family.isOlmo() ? 1e-5 : 1e-6);
        String act = k.optString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(source + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        JsonObject rope = k.optObject("rope_parameters");
        if (rope != null && rope.has(FULL)) {
            rope = rope.getAsJsonObject(FULL);
        }
        if (rope != null && rope.has("rope_theta")) {
            JsonElement theta = rope.get("rope_theta");
            ropeTheta = theta.isJsonPrimitive() && theta.getAsJsonPrimitive().isNumber() ? theta.getAsDouble() : Double.NaN;
            if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
                throw new IllegalArgumentException(source + ": key 'rope_parameters.rope_theta' must be a finite number"
                        + " > 0, got " + theta);
            }
        } else {
            ropeTheta = k.positiveDouble("rope_theta", 10000.0);
        }
        JsonObject scaling = k.optObject("rope_scaling");
        if (scaling == null && rope != null) {
            scaling = rope;
        }
        String ropeType = scaling == null ? "default" : ropeType(scaling);
        ropeScaling = ropeType.equals("default") ? null : scaling;
        slidingLayersScaleRope = family != Family.OLMO3;
        // Qwen's sliding_window counts only with use_sliding_window (from layer max_window_layers on).
        boolean qwen = family == Family.QWEN2 || family == Family.QWEN3;
        boolean qwenSliding = qwen && k.optBool("use_sliding_window", false);
        slidingWindow = qwen && !qwenSliding ? 4096 : k.optInt("sliding_window", 4096);
        layerTypes = Collections.unmodifiableList(layerTypes(json, source, qwen, qwenSliding ? k.optInt("max_window_layers", 28) : -1));
        bosTokenId = k.optInteger("bos_token_id");
        padTokenId = k.optInteger("pad_token_id");
    }

    /** Parses a {@code config.json} object; {@code source} (e.g. the file path) is named in every error. */
    public static OlmoConfig fromJson(JsonObject json, String source) {
        return new OlmoConfig(json, source);
    }

    /** A small config of any {@link Family} (its {@code model_type}) for tests, benchmarks and the built-in teachers. */
    public static OlmoConfig of(String modelType, int vocab, int hidden, int ffn, int layers, int heads, int kvHeads, int maxPos) {
        JsonObject j = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add(Family.of(modelType, "<config>").architecture);
        j.add("architectures", architectures);
        j.addProperty("model_type", modelType);
        if (modelType.equals(Family.QWEN3.modelType)) {
            j.addProperty("head_dim", hidden / heads); // not Qwen3Config's default of 128
        }
        j.addProperty("vocab_size", vocab);
        j.addProperty("hidden_size", hidden);
        j.addProperty("intermediate_size", ffn);
        j.addProperty("num_hidden_layers", layers);
        j.addProperty("num_attention_heads", heads);
        j.addProperty("num_key_value_heads", kvHeads);
        j.addProperty("max_position_embeddings", maxPos);
        j.addProperty("hidden_act", "silu");
        j.addProperty("rms_norm_eps", 1e-6);
        j.addProperty("rope_theta", 500000.0);
        j.add("rope_scaling", JsonNull.INSTANCE);
        j.addProperty("attention_bias", false);
        j.addProperty("attention_dropout", 0.0);
        j.addProperty("tie_word_embeddings", false);
        j.addProperty("torch_dtype", "float32");
        return new OlmoConfig(j, "<config>");
    }

    /** A copy with some keys replaced, e.g. {@code with("sliding_window", 8)}. */
    public OlmoConfig with(String key, Object value) {
        return new OlmoConfig(with(raw, key, value), "<config>");
    }

    /**
     * A copy of {@code json} with {@code key} set to {@code value}: null, a number, a boolean, a list (as strings),
     * JSON, or any other value as text (what the configs' {@code with} write).
     */
    public static JsonObject with(JsonObject json, String key, Object value) {
        JsonObject j = json.deepCopy();
        if (value == null) {
            j.add(key, JsonNull.INSTANCE);
        } else if (value instanceof Number n) {
            j.addProperty(key, n);
        } else if (value instanceof Boolean b) {
            j.addProperty(key, b);
        } else if (value instanceof List<?> list) {
            JsonArray a = new JsonArray();
            list.forEach(o -> a.add(o.toString()));
            j.add(key, a);
        } else if (value instanceof JsonElement e) {
            j.add(key, e);
        } else {
            j.addProperty(key, value.toString());
        }
        return j;
    }

    /** The config as written to {@code config.json} (unknown keys preserved). */
    public JsonObject toJson() {
        JsonObject j = raw.deepCopy();
        if (family == Family.OLMO3) {
            JsonArray a = new JsonArray();
            layerTypes.forEach(a::add);
            j.add("layer_types", a);
            j.addProperty("sliding_window", slidingWindow);
        }
        return j;
    }

    public boolean isSliding(int layer) {
        return SLIDING.equals(layerTypes.get(layer));
    }

    /** Parameter count of the whole causal LM (embeddings, layers, final norm, head unless tied). */
    public long parameterCount() {
        return OlmoCheckpoint.expectedShapes(this).values().stream()
                .mapToLong(shape -> Arrays.stream(shape).reduce(1, (a, b) -> a * b)).sum();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(d=%d, layers=%d, heads=%d/%d, head_dim=%d, ffn=%d, vocab=%d, rope_theta=%.0f%s%s%s%s)",
                modelType, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim, intermediateSize,
                vocabSize, ropeTheta, ropeScaling == null ? "" : ", rope_scaling=" + ropeType(ropeScaling),
                layerTypes.contains(SLIDING) ? ", sliding_window=" + slidingWindow : "",
                qkvBias ? ", qkv bias" : "", tieWordEmbeddings ? ", tied embeddings" : "");
    }

    static String ropeType(JsonObject scaling) {
        JsonElement t = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
        return t == null || t.isJsonNull() ? "default" : t.getAsString();
    }

    /**
     * The per-layer attention kinds: {@code layer_types}, else the family's default (Olmo 3: three sliding-window layers,
     * then one full; Qwen with {@code use_sliding_window}: sliding from layer {@code firstQwenSliding} on). Qwen without
     * {@code use_sliding_window} attends fully whatever the list says, as transformers does.
     */
    private List<String> layerTypes(JsonObject json, String source, boolean qwen, int firstQwenSliding) {
        List<String> types = new ArrayList<>();
        JsonElement lt = json.get("layer_types");
        if (qwen && firstQwenSliding < 0) {
            for (int i = 0; i < numHiddenLayers; i++) {
                types.add(FULL);
            }
        } else if (lt != null && !lt.isJsonNull()) {
            if (!lt.isJsonArray()) {
                throw new IllegalArgumentException(source + ": layer_types must be a list");
            }
            for (JsonElement e : lt.getAsJsonArray()) {
                String t = e.getAsString();
                if (!t.equals(FULL) && !t.equals(SLIDING)) {
                    throw new IllegalArgumentException(source + ": unknown layer type '" + t + "' in layer_types");
                }
                types.add(t);
            }
            if (types.size() != numHiddenLayers) {
                throw new IllegalArgumentException(source + ": layer_types has " + types.size()
                        + " entries but num_hidden_layers is " + numHiddenLayers);
            }
        } else {
            for (int i = 0; i < numHiddenLayers; i++) {
                boolean sliding = family == Family.OLMO3 ? (i + 1) % 4 != 0 : qwen && i >= firstQwenSliding;
                types.add(sliding ? SLIDING : FULL);
            }
        }
        if (types.contains(SLIDING) && slidingWindow <= 0) {
            throw new IllegalArgumentException(source + ": sliding_window must be positive, got " + slidingWindow);
        }
        return types;
    }

    /** Typed access to config.json keys with errors that name the file and key. */
    public static final class Keys {
        private final JsonObject json;
        private final String source;

        public Keys(JsonObject json, String source) {
            this.json = json;
            this.source = source;
        }

        /** The value of {@code key}, null when absent or null; an error naming {@code expected} when {@code ok} fails. */
        private <T> T present(String key, Predicate<JsonElement> ok, String expected, Function<JsonElement, T> value) {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return null;
            }
            if (!ok.test(e)) {
                throw wrong(key, expected);
            }
            return value.apply(e);
        }

        private static boolean primitive(JsonElement e, Predicate<JsonPrimitive> kind) {
            return e.isJsonPrimitive() && kind.test(e.getAsJsonPrimitive());
        }

        private IllegalArgumentException wrong(String key, String expected) {
            return new IllegalArgumentException(source + ": key '" + key + "' must be " + expected + ", got " + json.get(key));
        }

        /** {@code value} of a required key; an error when it is absent (null). */
        private <T> T required(String key, T value) {
            if (value == null) {
                throw new IllegalArgumentException(source + ": missing required key '" + key + "'");
            }
            return value;
        }

        public String string(String key) {
            return required(key, optString(key, null));
        }

        public String optString(String key, String def) {
            String s = present(key, e -> primitive(e, JsonPrimitive::isString), "a string", JsonElement::getAsString);
            return s == null ? def : s;
        }

        public int positive(String key) {
            int v = required(key, optInteger(key));
            if (v <= 0) {
                throw wrong(key, "a positive integer");
            }
            return v;
        }

        public int optInt(String key, int def) {
            Integer v = optInteger(key);
            return v == null ? def : v;
        }

        public Integer optInteger(String key) {
            Double d = present(key, e -> primitive(e, JsonPrimitive::isNumber), "an integer", JsonElement::getAsDouble);
            if (d != null && (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE)) {
                throw wrong(key, "an integer");
            }
            return d == null ? null : d.intValue();
        }

        /** A finite number above 0 (an epsilon, a RoPE base), or {@code def} when absent. */
        public double positiveDouble(String key, double def) {
            Double d = present(key, e -> primitive(e, JsonPrimitive::isNumber), "a number", JsonElement::getAsDouble);
            double v = d == null ? def : d;
            if (!(v > 0) || !Double.isFinite(v)) {
                throw wrong(key, "a finite number > 0");
            }
            return v;
        }

        public boolean optBool(String key, boolean def) {
            Boolean b = present(key, e -> primitive(e, JsonPrimitive::isBoolean), "true or false", JsonElement::getAsBoolean);
            return b == null ? def : b;
        }

        public JsonObject optObject(String key) {
            return present(key, JsonElement::isJsonObject, "an object", JsonElement::getAsJsonObject);
        }
    }
}
