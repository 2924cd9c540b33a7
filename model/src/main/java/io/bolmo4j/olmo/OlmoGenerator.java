package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.generate.Sampler;
import io.bolmo4j.generate.SamplingOptions;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Token-by-token generation with a KV cache: one prefill over the prompt, then one forward of a single token per
 * step. Stops at {@code maxNewTokens}, at a stop id, or when the context reaches {@code max_position_embeddings}.
 */
public final class OlmoGenerator {
    private final OlmoModel model;
    private int usableVocab;
    private boolean stoppedAtContext;

    public OlmoGenerator(OlmoModel model) {
        this.model = model;
        this.usableVocab = model.config().vocabSize;
    }

    /**
     * Never samples ids at or above {@code n}: checkpoints pad {@code vocab_size} (e.g. to a multiple of 128) beyond
     * the ids their tokenizer can decode.
     */
    public OlmoGenerator usableVocabulary(int n) {
        if (n < 1 || n > model.config().vocabSize) {
            throw new IllegalArgumentException("usable vocabulary must be in [1, " + model.config().vocabSize + "], got " + n);
        }
        usableVocab = n;
        return this;
    }

    /**
     * Generates continuation ids of {@code prompt}.
     *
     * @param onToken called with each new id as soon as it is chosen; return false to stop early
     * @param stopIds ids that end generation (not included in the result), e.g. the EOS id
     */
    public int[] generate(int[] prompt, SamplingOptions options, IntPredicate onToken, int... stopIds) {
        model.checkIds(prompt);
        int limit = model.config().maxPositionEmbeddings;
        if (prompt.length >= limit) {
            throw new IllegalArgumentException("prompt has " + prompt.length + " tokens; the model's context is " + limit);
        }
        Sampler sampler = new Sampler(options);
        stoppedAtContext = false;
        int room = Math.min(options.maxNewTokens(), limit - prompt.length); // the context bounds any --max-new
        int[] out = new int[room];
        int n = 0;
        try (KvCache cache = model.newCache(prompt.length + room)) {
            float[] logits = lastLogits(prompt, cache);
            while (n < options.maxNewTokens()) {
                int next = sampler.sample(logits);
                if (IntStream.of(stopIds).anyMatch(id -> id == next)) {
                    break;
                }
                out[n++] = next;
                if (!onToken.test(next) || n == options.maxNewTokens()) {
                    break;
                }
                // The next token would sit at position cache.length() + 1, which must be inside the context.
                if (cache.length() + 1 >= limit) {
                    stoppedAtContext = true;
                    break;
                }
                logits = lastLogits(new int[] {next}, cache);
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Whether the last generation ended because the context ({@code max_position_embeddings}) was full. */
    public boolean stoppedAtContext() {
        return stoppedAtContext;
    }

    /** Generates without a callback. */
    public int[] generate(int[] prompt, SamplingOptions options, int... stopIds) {
        return generate(prompt, options, id -> true, stopIds);
    }

    private float[] lastLogits(int[] ids, KvCache cache) {
        try (NDScope ignored = new NDScope()) {
            NDArray h = model.hidden(Ops.ids(model.params().manager(), ids, 1, ids.length), cache);
            NDArray last = h.get(":, -1:, :");
            float[] logits = model.head(last).toFloatArray();
            Arrays.fill(logits, usableVocab, logits.length, Float.NEGATIVE_INFINITY);
            return logits;
        }
    }
}
