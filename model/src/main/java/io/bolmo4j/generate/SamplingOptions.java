package io.bolmo4j.generate;

import io.bolmo4j.train.Setting;
import io.bolmo4j.train.SettingsRecord;

import static io.bolmo4j.train.Settings.require;

/**
 * How the next token is chosen: temperature 0 means greedy; otherwise logits are divided by the temperature,
 * then filtered by top-k (0 = off) and top-p (1 = off), and one id is drawn with a seeded generator.
 * {@link #defaults()} is the one set of defaults of the command line ({@code generate}, {@code chat}) and the DSL:
 * greedy unless a temperature is asked for, as in Hugging Face transformers' generation config.
 *
 * @param maxNewTokens how many tokens (bytes, for byte-level models) to generate at most
 */
public record SamplingOptions(
        @Setting(value = "new tokens (bytes for Bolmo) at most", option = "--max-new") int maxNewTokens,
        @Setting("softmax temperature; 0 = greedy") double temperature,
        @Setting("keep the k most likely tokens; 0 = off") int topK,
        @Setting("nucleus sampling: keep the most likely tokens up to this mass; 1 = off") double topP,
        @Setting("seed of the sampling") long seed) implements SettingsRecord<SamplingOptions> {
    public SamplingOptions {
        require(maxNewTokens >= 0, "maxNewTokens", "an integer >= 0", maxNewTokens);
        require(temperature >= 0 && Double.isFinite(temperature), "temperature", "a finite number >= 0", temperature);
        require(topK >= 0, "topK", "an integer >= 0", topK);
        require(topP > 0 && topP <= 1, "topP", "a number in (0, 1]", topP);
    }

    /** Greedy decoding of up to 100 new tokens. */
    public static SamplingOptions defaults() {
        return greedy(100);
    }

    /** Greedy decoding of up to {@code maxNewTokens}. */
    public static SamplingOptions greedy(int maxNewTokens) {
        return new SamplingOptions(maxNewTokens, 0, 0, 1, 0);
    }
}
