package io.bolmo4j.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.io.SafetensorsFile;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.oracle.Python311;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The folder {@code bolmo4j pretrain} and {@code finetune} write (both through {@link OlmoPretrainer#run}) loads in
 * transformers as saved ({@code AutoModelForCausalLM.from_pretrained(dir)}, bf16 weights) and gives bolmo4j's logits;
 * its tokenizer and generation config read the same special tokens.
 */
class TransformersLoadsTrainedOlmoTest {
    @TempDir
    Path dir;

    @Test
    void aPretrainedFolderLoadsInTransformersWithTheSameLogits() {
        Python311.assume("transformers", "torch", "safetensors");
        Path out = dir.resolve("pretrained");
        try (OlmoModel m = OlmoModel.random(OlmoPretrainer.teacherConfig(OlmoPretrainerTest.VOCAB.tokenizer(), 32, 2, 2, 64, 64), 3)) {
            OlmoPretrainer.Config twoSteps = OlmoPretrainerTest.CFG.with("steps", 2);
            new OlmoPretrainer(m, OlmoPretrainerTest.VOCAB.tokenizer(), OlmoPretrainerTest.TRAIN, OlmoPretrainerTest.VALID, twoSteps)
                    .run(out, OlmoPretrainerTest.VOCAB.toJson());
        }
        String text = "the cat sat on the mat.";
        BpeTokenizer tok = BpeTokenizer.load(out.resolve("tokenizer.json"));
        int[] ids = tok.encodeIds(text);
        Path pyLogits = dir.resolve("transformers-logits.safetensors");
        String idList = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        JsonObject py = JsonParser.parseString(Python311.run(Map.of("HF_HUB_OFFLINE", "1"), "src/test/python/transformers_reference.py",
                "olmo", out.toString(), idList, pyLogits.toString(), text).ok()).getAsJsonObject();
        assertEquals("Olmo2ForCausalLM", py.get("class").getAsString());
        assertEquals("torch.bfloat16", py.get("saved_dtype").getAsString(), "loaded as saved: bf16 weights");
        assertEquals("<|endoftext|>", py.get("eos_token").getAsString());
        assertEquals(Arrays.toString(ids), py.get("encoded").toString().replace(",", ", "));
        try (OlmoModel m = OlmoCheckpoint.load(out); SafetensorsFile st = SafetensorsFile.open(pyLogits)) {
            assertEquals(m.config().toJson().get("eos_token_id"), py.getAsJsonObject("generation").get("eos_token_id"));
            float[][] ours = m.logits(ids);
            float[] theirs = st.readFloats("logits");
            double maxDiff = 0, maxAbs = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < ours[t].length; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ours[t][v] - theirs[t * ours[t].length + v]));
                    maxAbs = Math.max(maxAbs, Math.abs(ours[t][v]));
                }
            }
            System.out.printf(Locale.ROOT, "transformers vs bolmo4j logits of a pretrained folder: max |Δ| %.2e (max |logit| %.3f)%n",
                    maxDiff, maxAbs);
            assertTrue(maxAbs > 0.01 && maxDiff < 1e-4 * Math.max(1, maxAbs), "max |Δlogit| " + maxDiff + " of " + maxAbs);
        }
    }
}
