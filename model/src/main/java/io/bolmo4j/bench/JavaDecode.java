package io.bolmo4j.bench;

import io.bolmo4j.cpu.CpuBolmo;
import io.bolmo4j.cpu.CpuKvCache;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.generate.Sampler;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Decode rates of the Java engine, measured as {@link PythonAnchor}'s script measures transformers: a prompt
 * whose prefill is not timed, then single-position steps that are, greedy; the median of the repeats after one
 * warm-up run.
 */
public final class JavaDecode {
    /** Prompt tokens of the OLMo figure (the anchor's default). */
    public static final int PROMPT_TOKENS = 16;

    private JavaDecode() {}

    /** Greedy decode tokens/s of {@code m}: the prompt is the ids 100, 101, ... as the anchor's; {@code newTokens − 1} timed steps. */
    public static double olmo(CpuOlmo m, int newTokens, int repeats) {
        int first = Math.max(0, Math.min(100, m.config().vocabSize - PROMPT_TOKENS));
        int[] prompt = IntStream.range(first, first + PROMPT_TOKENS).toArray();
        return median(repeats, () -> {
            CpuKvCache cache = m.newCache(PROMPT_TOKENS + newTokens);
            float[] logits = m.next(prompt, cache);
            long t0 = System.nanoTime();
            for (int i = 0; i < newTokens - 1; i++) {
                logits = m.next(new int[] {Sampler.argmax(logits)}, cache);
            }
            return (newTokens - 1) / ((System.nanoTime() - t0) / 1e9);
        });
    }

    /**
     * Bolmo's decode bytes/s with its patches ending at {@code ends} (a trained Bolmo's patches are about its teacher's
     * tokens): the first {@code prompt} bytes are prefilled untimed, then each further byte is one step that ends its
     * patch (stepping the global model) where {@code ends} says, and computes the next byte's logits.
     */
    public static double bolmo(CpuBolmo m, int[] ids, int[] subwords, boolean[] ends, int prompt, int repeats) {
        return median(repeats, () -> {
            CpuBolmo.Session s = m.newSession(ids.length);
            s.prefill(Arrays.copyOf(ids, prompt), Arrays.copyOf(subwords, prompt), Arrays.copyOf(ends, prompt));
            long t0 = System.nanoTime();
            for (int t = prompt; t < ids.length; t++) {
                s.step(ids[t], subwords[t], ends[t]);
            }
            return (ids.length - prompt) / ((System.nanoTime() - t0) / 1e9);
        });
    }

    /** A rate measured by one run. */
    private interface Rate {
        double measure();
    }

    private static double median(int repeats, Rate rate) {
        rate.measure(); // warm-up: the JIT compiles the kernels
        double[] r = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            r[i] = rate.measure();
        }
        Arrays.sort(r);
        return r[repeats / 2];
    }
}
