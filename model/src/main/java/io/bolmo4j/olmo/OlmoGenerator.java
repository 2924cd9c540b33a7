package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.cpu.CpuKvCache;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.generate.Sampler;
import io.bolmo4j.generate.SamplingOptions;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Token-by-token generation with a KV cache: one prefill over the prompt, then one forward of a single token per
 * step. Stops at {@code maxNewTokens}, at a stop id, or when the context reaches {@code max_position_embeddings}.
 * Runs on the inference engine ({@link io.bolmo4j.cpu.InferenceEngine}): a DJL model's steps go to the Java engine
 * on the CPU.
 */
public final class OlmoGenerator {
    private final OlmoConfig config;
    /** The DJL model, or null when generating with a Java engine model. */
    private final OlmoModel model;
    private final CpuOlmo cpu;
    private int usableVocab;
    private boolean stoppedAtContext;

    /** Generates with a DJL model, on the inference engine of each generation. */
    public OlmoGenerator(OlmoModel model) {
        this(model.config(), model, null);
    }

    /** Generates on the Java engine. */
    public OlmoGenerator(CpuOlmo model) {
        this(model.config(), null, model);
    }

    private OlmoGenerator(OlmoConfig config, OlmoModel model, CpuOlmo cpu) {
        this.config = config;
        this.model = model;
        this.cpu = cpu;
        this.usableVocab = config.vocabSize;
    }

    /**
     * Never samples ids at or above {@code n}: checkpoints pad {@code vocab_size} (e.g. to a multiple of 128) beyond
     * the ids their tokenizer can decode.
     */
    public OlmoGenerator usableVocabulary(int n) {
        if (n < 1 || n > config.vocabSize) {
            throw new IllegalArgumentException("usable vocabulary must be in [1, " + config.vocabSize + "], got " + n);
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
        OlmoModel.checkIds(config, prompt);
        int limit = config.maxPositionEmbeddings;
        if (prompt.length >= limit) {
            throw new IllegalArgumentException("prompt has " + prompt.length + " tokens; the model's context is " + limit);
        }
        Sampler sampler = new Sampler(options);
        stoppedAtContext = false;
        int room = Math.min(options.maxNewTokens(), limit - prompt.length); // the context bounds any --max-new
        int[] out = new int[room];
        int n = 0;
        try (Steps steps = steps(prompt.length + room)) {
            float[] logits = steps.feed(prompt);
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
                if (steps.length() + 1 >= limit) {
                    stoppedAtContext = true;
                    break;
                }
                logits = steps.feed(new int[] {next});
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

    /** Cached decoding on one engine: the next token's logits after feeding ids, and the positions fed so far. */
    private interface Steps extends AutoCloseable {
        float[] feed(int[] ids);

        int length();

        /** Frees what the engine keeps (the Java engine's plain arrays need nothing). */
        @Override
        default void close() {
        }
    }

    private Steps steps(int positions) {
        CpuOlmo java = cpu != null ? cpu : CpuOlmo.forInference(model);
        if (java != null) {
            CpuKvCache cache = java.newCache(positions);
            return new Steps() {
                @Override
                public float[] feed(int[] ids) {
                    return usable(java.next(ids, cache));
                }

                @Override
                public int length() {
                    return cache.length();
                }
            };
        }
        KvCache cache = model.newCache(positions);
        return new Steps() {
            @Override
            public float[] feed(int[] ids) {
                try (NDScope ignored = new NDScope()) {
                    NDArray h = model.hidden(Ops.ids(model.params().manager(), ids, 1, ids.length), cache);
                    return usable(model.head(h.get(":, -1:, :")).toFloatArray());
                }
            }

            @Override
            public int length() {
                return cache.length();
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    /** The logits with the ids past the usable vocabulary at −∞. */
    private float[] usable(float[] logits) {
        Arrays.fill(logits, usableVocab, logits.length, Float.NEGATIVE_INFINITY);
        return logits;
    }
}
