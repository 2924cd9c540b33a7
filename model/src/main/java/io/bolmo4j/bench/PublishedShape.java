package io.bolmo4j.bench;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.olmo.OlmoConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Shapes of released checkpoints, from their published {@code config.json} values, for benchmarks with random weights:
 * OLMo-2-0425-1B, Olmo-3-1025-7B, and Bolmo-1B / Bolmo-7B (those global models with Bolmo's local models, as
 * {@link BolmoConfig#fromTeacher} derives them: local SwiGLU 2816 / 5504, dolma2's 100,278 subword ids).
 */
public enum PublishedShape {
    OLMO2_1B, OLMO3_7B, BOLMO_1B, BOLMO_7B;

    /** The dolma2 tokenizer's ids (cl100k plus OLMo's specials), Bolmo's {@code subword_vocab_size}. */
    public static final int DOLMA2_IDS = 100278;

    /** {@code olmo2-1b}, {@code olmo3-7b}, {@code bolmo-1b} or {@code bolmo-7b}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The shape whose {@link #id()} is {@code s}, in any case. */
    public static PublishedShape parse(String s) {
        return Arrays.stream(values()).filter(p -> p.id().equals(s.toLowerCase(Locale.ROOT))).findFirst().orElseThrow(
                () -> new IllegalArgumentException("shape '" + s + "' is not one of olmo2-1b, olmo3-7b, bolmo-1b, bolmo-7b"));
    }

    public boolean isBolmo() {
        return this == BOLMO_1B || this == BOLMO_7B;
    }

    /** The subword model: the checkpoint itself, or the Bolmo's global model and merge partners. */
    public OlmoConfig teacher() {
        if (this == OLMO2_1B || this == BOLMO_1B) {
            return withDolma2Ids(OlmoConfig.of("olmo2", 100352, 2048, 8192, 16, 16, 16, 4096)); // rope_theta 500000
        }
        // 3 sliding (4096) + 1 full
        List<String> types = IntStream.range(0, 32).mapToObj(i -> i % 4 == 3 ? OlmoConfig.FULL : OlmoConfig.SLIDING).toList();
        return withDolma2Ids(OlmoConfig.of("olmo3", 100278, 4096, 11008, 32, 32, 32, 65536).with("sliding_window", 4096)
                .with("layer_types", types));
    }

    /** dolma2's end-of-text (also the BOS OLMo is scored with) and padding ids, as the released configs name them. */
    private static OlmoConfig withDolma2Ids(OlmoConfig c) {
        return c.with("eos_token_id", 100257).with("pad_token_id", 100277);
    }

    /** The Bolmo configuration (Bolmo shapes only). */
    public BolmoConfig bolmo() {
        if (!isBolmo()) {
            throw new IllegalStateException(id() + " is not a Bolmo shape");
        }
        return BolmoConfig.fromTeacher(teacher(), DOLMA2_IDS);
    }
}
