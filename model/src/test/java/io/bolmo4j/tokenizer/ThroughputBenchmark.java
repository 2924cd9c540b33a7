package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Encoding speed on English prose, next to jtokkit and Hugging Face through DJL. Timing-only, so opt-in:
 * {@code mvn -o -pl model test -Dtest=ThroughputBenchmark -Dbolmo4j.bench=true}.
 */
@EnabledIfSystemProperty(named = "bolmo4j.bench", matches = "true")
class ThroughputBenchmark {

    @Test
    void englishProse() {
        String text = Fixtures.paper().orElseGet(() -> Fixtures.prose().repeat(40));
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        BpeTokenizer tok = Fixtures.full();
        var jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        assertArrayEquals(jtokkit.encodeOrdinary(text).toArray(), tok.encodeIds(text));
        try (HuggingFaceTokenizer hf = Fixtures.huggingFace(Fixtures.fullJson())) {
            report("bolmo4j BpeTokenizer.encodeIds", mb, t -> tok.encodeIds(t).length, text);
            report("bolmo4j BpeTokenizer.encode (offsets)", mb, t -> tok.encode(t).size(), text);
            report("jtokkit 1.1.0 encodeOrdinary", mb, t -> jtokkit.encodeOrdinary(t).size(), text);
            report("HF tokenizers via DJL 0.32.0", mb, t -> hf.encode(t, false, false).getIds().length, text);
        }
    }

    /** Best of several rounds of about a second each, after a warm-up round. */
    private static void report(String name, double mb, ToIntFunction<String> encoder, String text) {
        double best = 0;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            int reps = 0;
            long sink = 0;
            do {
                sink += encoder.applyAsInt(text);
                reps++;
            } while (System.nanoTime() - t0 < 1_000_000_000L);
            double rate = reps * mb / ((System.nanoTime() - t0) / 1e9);
            if (round > 0) {
                best = Math.max(best, rate);
            }
            if (sink < 0) {
                throw new AssertionError();
            }
        }
        System.out.printf("%-40s %6.2f MB/s (%.0f KB text)%n", name, best, mb * 1000);
    }
}
