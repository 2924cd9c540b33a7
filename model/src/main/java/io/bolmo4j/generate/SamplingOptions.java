package io.bolmo4j.generate;

/**
 * How the next token is chosen: temperature 0 means greedy; otherwise logits are divided by the temperature,
 * then filtered by top-k (0 = off) and top-p (1 = off), and one id is drawn with a seeded generator.
 *
 * @param maxNewTokens how many tokens (bytes, for byte-level models) to generate at most
 */
public record SamplingOptions(int maxNewTokens, double temperature, int topK, double topP, long seed) {
    public SamplingOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens}. */
    public static SamplingOptions greedy(int maxNewTokens) {
        return new SamplingOptions(maxNewTokens, 0, 0, 1, 0);
    }

    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(maxNewTokens, temperature, topK, topP, s);
    }
}
