package io.bolmo4j.olmo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The OLMo 2 / Olmo 3 hyperparameters, mirroring Hugging Face's {@code config.json} key by key
 * ({@code Olmo2Config} / {@code Olmo3Config}). Unknown keys are kept, so {@link #toJson()} writes them back.
 */
public final class OlmoConfig {
    public static final String FULL = "full_attention";
    public static final String SLIDING = "sliding_attention";

    public final String modelType;
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
        if (!modelType.equals("olmo2") && !modelType.equals("olmo3")) {
            throw new IllegalArgumentException(source + ": unsupported model_type '" + modelType
                    + "' (supported: olmo2, olmo3" + (modelType.equals("bolmo") ? "; load Bolmo directories with Bolmo" : "") + ")");
        }
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
        if (!json.has("head_dim") && hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException(source + ": hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        headDim = k.optInt("head_dim", hiddenSize / numAttentionHeads);
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException(source + ": head_dim must be even for RoPE, got " + headDim);
        }
        maxPositionEmbeddings = k.optInt("max_position_embeddings", 2048);
        if (maxPositionEmbeddings < 1) {
            throw k.wrong("max_position_embeddings", "a positive integer");
        }
        rmsNormEps = k.positiveDouble("rms_norm_eps", 1e-5);
        String act = k.optString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(source + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        if (k.optBool("attention_bias", false)) {
            throw new IllegalArgumentException(source + ": attention_bias=true is not supported by OLMo 2/3");
        }
        if (k.optBool("tie_word_embeddings", false)) {
            throw new IllegalArgumentException(source + ": tie_word_embeddings=true is not supported (OLMo unties them)");
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
        slidingWindow = k.optInt("sliding_window", 4096);
        layerTypes = Collections.unmodifiableList(layerTypes(json, source));
        bosTokenId = k.optInteger("bos_token_id");
        padTokenId = k.optInteger("pad_token_id");
    }

    /** Parses a {@code config.json} object; {@code source} (e.g. the file path) is named in every error. */
    public static OlmoConfig fromJson(JsonObject json, String source) {
        return new OlmoConfig(json, source);
    }

    /** A small config for tests and the built-in teacher. */
    public static OlmoConfig of(String modelType, int vocab, int hidden, int ffn, int layers, int heads, int kvHeads, int maxPos) {
        JsonObject j = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add(modelType.equals("olmo3") ? "Olmo3ForCausalLM" : "Olmo2ForCausalLM");
        j.add("architectures", architectures);
        j.addProperty("model_type", modelType);
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
        JsonObject j = raw.deepCopy();
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
        return new OlmoConfig(j, "<config>");
    }

    /** The config as written to {@code config.json} (unknown keys preserved). */
    public JsonObject toJson() {
        JsonObject j = raw.deepCopy();
        if (modelType.equals("olmo3")) {
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

    /** Parameter count of the whole causal LM (embeddings, layers, final norm, head). */
    public long parameterCount() {
        long d = hiddenSize;
        long q = (long) numAttentionHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        long attn = d * q + 2 * d * kv + q * d + q + kv;
        long mlp = 3 * d * intermediateSize;
        long layer = attn + mlp + 2 * d;
        return numHiddenLayers * layer + 2L * vocabSize * d + d;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(d=%d, layers=%d, heads=%d/%d, head_dim=%d, ffn=%d, vocab=%d, rope_theta=%.0f%s%s)",
                modelType, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim, intermediateSize,
                vocabSize, ropeTheta, ropeScaling == null ? "" : ", rope_scaling=" + ropeType(ropeScaling),
                layerTypes.contains(SLIDING) ? ", sliding_window=" + slidingWindow : "");
    }

    static String ropeType(JsonObject scaling) {
        JsonElement t = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
        return t == null || t.isJsonNull() ? "default" : t.getAsString();
    }

    private List<String> layerTypes(JsonObject json, String source) {
        List<String> types = new ArrayList<>();
        JsonElement lt = json.get("layer_types");
        if (lt != null && !lt.isJsonNull()) {
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
                // Olmo 3 default: three sliding-window layers, then one full layer.
                types.add(modelType.equals("olmo3") && (i + 1) % 4 != 0 ? SLIDING : FULL);
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
