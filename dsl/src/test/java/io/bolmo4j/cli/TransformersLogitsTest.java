package io.bolmo4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bolmo4j logits} on checkpoints that Hugging Face transformers wrote ({@code save_pretrained}, random weights,
 * the families' real config.json keys at small widths, special ids left out for the small vocabularies) equals transformers' own logits within 1e-4 relative: Llama
 * with tied embeddings and Llama 3 RoPE scaling (Llama 3.2 / SmolLM2), untied with attention and MLP biases, Qwen 2.5
 * (q/k/v biases, tied; with and without sliding windows) and Qwen 3 (per-head QK-norm, head_dim ≠ hidden/heads, GQA).
 */
class TransformersLogitsTest {
    @TempDir
    Path root;

    /** The config.json keys of a family's published checkpoint, with small widths. */
    static JsonObject config(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    static final String LLAMA_32_TIED = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 384, "hidden_size": 64,
             "intermediate_size": 160, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_dim": 16, "hidden_act": "silu", "max_position_embeddings": 131072, "rms_norm_eps": 1e-05,
             "rope_theta": 500000.0, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
             "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "tie_word_embeddings": true,
             "attention_bias": false, "attention_dropout": 0.0, "mlp_bias": false, "pretraining_tp": 1,
             "initializer_range": 0.02, "use_cache": true}""";
    static final String LLAMA_UNTIED_BIASES = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 320, "hidden_size": 48,
             "intermediate_size": 128, "num_hidden_layers": 3, "num_attention_heads": 3, "num_key_value_heads": 1,
             "hidden_act": "silu", "max_position_embeddings": 8192, "rms_norm_eps": 1e-05, "rope_theta": 100000,
             "tie_word_embeddings": false, "attention_bias": true, "mlp_bias": true}""";
    static final String QWEN25 = """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 400, "hidden_size": 64,
             "intermediate_size": 176, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "hidden_act": "silu", "max_position_embeddings": 32768, "max_window_layers": 24, "rms_norm_eps": 1e-06,
             "rope_theta": 1000000.0, "sliding_window": 32768, "use_sliding_window": false, "tie_word_embeddings": true,
             "attention_dropout": 0.0, "use_cache": true}""";
    static final String QWEN25_SLIDING = """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 300, "hidden_size": 32,
             "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 4,
             "max_position_embeddings": 4096, "max_window_layers": 1, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
             "sliding_window": 5, "use_sliding_window": true, "tie_word_embeddings": false}""";
    static final String QWEN3 = """
            {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 416, "hidden_size": 64,
             "intermediate_size": 192, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_dim": 32, "hidden_act": "silu", "max_position_embeddings": 40960, "max_window_layers": 28,
             "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null,
             "use_sliding_window": false, "tie_word_embeddings": true, "attention_bias": false, "attention_dropout": 0.0,
             "use_cache": true}""";
    static final String QWEN3_UNTIED_BIASES = """
            {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 256, "hidden_size": 48,
             "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2,
             "head_dim": 24, "max_position_embeddings": 2048, "rms_norm_eps": 1e-06, "rope_theta": 10000,
             "tie_word_embeddings": false, "attention_bias": true}""";

    @Test
    void logitsOfEveryFamilyEqualTransformers() throws Exception {
        Optional<Path> python = Transformers.python();
        assumeTrue(python.isPresent(), "no .venv-oracles with transformers");
        List<String> names = List.of("llama-3.2-tied", "llama-untied-biases", "qwen2.5", "qwen2.5-sliding", "qwen3",
                "qwen3-untied-biases");
        List<String> configs = List.of(LLAMA_32_TIED, LLAMA_UNTIED_BIASES, QWEN25, QWEN25_SLIDING, QWEN3, QWEN3_UNTIED_BIASES);
        List<Transformers.Spec> specs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            JsonObject c = config(configs.get(i));
            int[] ids = new Random(i).ints(23, 0, c.get("vocab_size").getAsInt()).toArray();
            Path dir = root.resolve(names.get(i));
            specs.add(new Transformers.Spec(c, dir, ids, root.resolve(names.get(i) + "-hf.safetensors"), 11 + i));
        }
        String versions = Transformers.write(python.get(), specs.toArray(Transformers.Spec[]::new));
        for (int i = 0; i < specs.size(); i++) {
            Transformers.Spec s = specs.get(i);
            Path ours = root.resolve(names.get(i) + "-bolmo4j.safetensors");
            String[] r = CliTest.run("logits", s.dir().toString(), "--ids",
                    Arrays.stream(s.ids()).mapToObj(Integer::toString).collect(Collectors.joining(",")), "--out", ours.toString());
            assertEquals("0", r[0], r[2]);
            double err = relativeError(read(s.logits()), read(ours));
            System.out.printf("%s: bolmo4j logits vs %s, relative error %.2e%n", names.get(i), versions, err);
            assertTrue(err <= 1e-4, names.get(i) + ": relative error " + err);
            // the Java inference engine on the same files (mapped as written), against the same oracle
            float[] java = Arrays.stream(CpuOlmo.load(s.dir()).logits(s.ids())).reduce(new float[0], TransformersLogitsTest::concat);
            double javaErr = relativeError(read(s.logits()), java);
            System.out.printf("%s: java engine logits vs %s, relative error %.2e%n", names.get(i), versions, javaErr);
            assertTrue(javaErr <= 1e-4, names.get(i) + ", java engine: relative error " + javaErr);
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static float[] read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.readFloats("logits");
        }
    }

    /** ‖a − b‖ / ‖a‖ over all logits. */
    static double relativeError(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (double) (want[i] - got[i]) * (want[i] - got[i]);
            norm += (double) want[i] * want[i];
        }
        return Math.sqrt(diff / norm);
    }
}
