package io.bolmo4j.bolmo.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Patches;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.cpu.CpuBolmo;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.generate.Sampler;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.generate.StopTexts;
import io.bolmo4j.generate.Utf8Stream;
import io.bolmo4j.mlstm.MLstmState;
import io.bolmo4j.olmo.KvCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Cached byte-level generation (docs/bolmo.md §5.2-5.3, batch 1). Prefill: the predictor places the prompt's patch boundaries
 * non-causally; the last prompt byte is rolled back and re-decided causally by the fused head. Decoding: each byte
 * steps the encoder and decoder mLSTMs; a byte chosen as fused (id ≥ 260) closes its patch and steps the global model
 * once, with a KV cache per patch. A patch never grows past {@link #maxPatchBytes} bytes. Runs on the inference
 * engine ({@link io.bolmo4j.cpu.InferenceEngine}): a DJL model's steps go to the Java engine on the CPU.
 */
public final class BolmoGenerator {
    private final BolmoConfig config;
    /** The DJL model, or null when decoding with a Java engine model. */
    private final BolmoModel model;
    private final CpuBolmo cpu;
    private final SubwordSuffixTrie trie;
    private int maxPatchBytes = 128;
    private int minNewBytes;
    private List<String> stopTexts = List.of();
    private boolean stoppedAtContext;

    /** Decodes with a DJL model, on the inference engine of each generation. */
    public BolmoGenerator(BolmoModel model, SubwordSuffixTrie trie) {
        this(model.config(), model, null, trie);
    }

    /** Decodes on the Java engine. */
    public BolmoGenerator(CpuBolmo model, SubwordSuffixTrie trie) {
        this(model.config(), null, model, trie);
    }

    private BolmoGenerator(BolmoConfig config, BolmoModel model, CpuBolmo cpu, SubwordSuffixTrie trie) {
        this.config = config;
        this.model = model;
        this.cpu = cpu;
        this.trie = trie;
    }

    /** Caps patch length: after this many bytes without a boundary the next byte is forced to end the patch. */
    public BolmoGenerator maxPatchBytes(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxPatchBytes must be >= 1, got " + n);
        }
        maxPatchBytes = n;
        return this;
    }

    /**
     * Never ends before {@code n} new bytes: special ids (BOS, EOS, padding) are left out of the choice until then,
     * as Hugging Face's {@code min_new_tokens} does with EOS. Benchmarks use it to time a fixed number of bytes.
     */
    public BolmoGenerator minNewBytes(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("minNewBytes must be >= 0, got " + n);
        }
        minNewBytes = n;
        return this;
    }

    /** Also ends generation at these strings (a chat template's end-of-turn markers), cut from the returned text. */
    public BolmoGenerator stopAt(List<String> texts) {
        stopTexts = List.copyOf(texts);
        return this;
    }

    /**
     * What a generation produced.
     *
     * @param ids plain byte ids of prompt (with BOS) and continuation
     * @param boundaries for every position: does that byte end its patch (the prompt's from the predictor, then the
     *                   fused choices)
     * @param stepLogits when requested: the logits used to choose byte {@code promptLength − 1 + i} (the forced last
     *                   prompt byte first), in the 520 space, before sampling filters
     */
    public record Generation(int[] ids, boolean[] boundaries, int promptLength, String text, List<float[]> stepLogits) {}

    /** Whether the last generation ended because its patches filled the global model's context. */
    public boolean stoppedAtContext() {
        return stoppedAtContext;
    }

    /** Continues {@code prompt}, streaming complete UTF-8 text to {@code onText}. */
    public Generation generate(String prompt, SamplingOptions options, Consumer<String> onText) {
        return generate(ByteTokenizer.encode(prompt), options, false, onText);
    }

    /** Continues BOS-prefixed byte ids; {@code keepLogits} records every step's logits (for checks). */
    public Generation generate(int[] promptIds, SamplingOptions options, boolean keepLogits, Consumer<String> onText) {
        if (promptIds.length == 0 || promptIds[0] != ByteTokenizer.BOS) {
            throw new IllegalArgumentException("the prompt must start with BOS (id 1)");
        }
        Sampler sampler = new Sampler(options);
        Utf8Stream utf8 = new Utf8Stream();
        StopTexts stops = new StopTexts(stopTexts);
        StringBuilder text = new StringBuilder();
        List<float[]> steps = new ArrayList<>();
        int n = promptIds.length;
        int context = config.global.maxPositionEmbeddings; // in patches: the global model's positions
        // room for a short generation; a long one grows the arrays (any --max-new, however large, costs what it makes)
        int[] ids = Arrays.copyOf(promptIds, n + Math.min(options.maxNewTokens(), 1 << 16) + 1);
        boolean[] ends = new boolean[ids.length];
        int generated = 0;
        stoppedAtContext = false;
        try (Decoding decoding = decoding((int) Math.min((long) n + options.maxNewTokens() + 1, context))) {
            float[] logits = prefill(promptIds, ends, decoding);
            if (decoding.patches() > context) {
                throw new IllegalArgumentException("the prompt makes " + decoding.patches() + " patches; the global model's"
                        + " context is " + context + " (max_position_embeddings)");
            }
            int tok;
            if (n > 1) { // the last prompt byte is forced; only its patch-end flag is chosen
                int forced = promptIds[n - 1];
                float[] masked = new float[logits.length];
                Arrays.fill(masked, Float.NEGATIVE_INFINITY);
                masked[forced] = logits[forced];
                masked[forced + ByteTokenizer.FUSED] = logits[forced + ByteTokenizer.FUSED];
                if (keepLogits) {
                    steps.add(logits);
                }
                tok = sampler.sample(masked);
            } else {
                tok = -1; // the BOS patch is complete; logits already predict the first new byte
            }
            int len = n > 1 ? n - 1 : 1; // bytes fed so far (positions 0..len-1); a lone BOS was fed by the prefill
            int sinceBoundary = 0;
            for (int t = len - 1; t >= 0 && !ends[t]; t--) {
                sinceBoundary++;
            }
            while (true) {
                if (tok >= 0) {
                    int x = ByteTokenizer.plain(tok);
                    boolean boundary = ByteTokenizer.isFused(tok) || sinceBoundary + 1 >= maxPatchBytes;
                    if (x < ByteTokenizer.OFFSET) {
                        break; // BOS/EOS or another special ends the text
                    }
                    if (boundary && decoding.patches() >= context) {
                        stoppedAtContext = true; // the global model has no position left for this patch
                        break;
                    }
                    if (len == ids.length) {
                        ids = Arrays.copyOf(ids, 2 * len);
                        ends = Arrays.copyOf(ends, 2 * len);
                    }
                    ids[len] = x;
                    ends[len] = boundary;
                    if (len >= n) {
                        generated++;
                        String piece = stops.accept(utf8.accept(new byte[] {(byte) (x - ByteTokenizer.OFFSET)}));
                        text.append(piece);
                        onText.accept(piece);
                        if (stops.stopped()) {
                            break;
                        }
                    }
                    logits = decoding.step(ids[len], trie.expandAt(ids, len), boundary);
                    sinceBoundary = boundary ? 0 : sinceBoundary + 1;
                    len++;
                    if (generated >= options.maxNewTokens()) {
                        break;
                    }
                }
                if (keepLogits) {
                    steps.add(logits);
                }
                tok = sampler.sample(generated < minNewBytes ? withoutSpecials(logits) : logits);
            }
        }
        String rest = stops.accept(utf8.flush()) + stops.flush();
        text.append(rest);
        onText.accept(rest);
        int used = n + generated;
        return new Generation(Arrays.copyOf(ids, used), Arrays.copyOf(ends, used), n, text.toString(), steps);
    }

    /** The logits with every special id (plain or fused) at −∞. */
    private static float[] withoutSpecials(float[] logits) {
        float[] l = logits.clone();
        Arrays.fill(l, 0, ByteTokenizer.OFFSET, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, ByteTokenizer.FUSED, ByteTokenizer.FUSED + ByteTokenizer.OFFSET, Float.NEGATIVE_INFINITY);
        return l;
    }

    /** Feeds the prompt but its last byte (or the lone BOS), marking its patch ends in {@code ends}; returns the logits. */
    private float[] prefill(int[] prompt, boolean[] ends, Decoding decoding) {
        int n = prompt.length;
        int[] subs = trie.expand(prompt);
        // boundary pass over the whole prompt, then roll back one byte
        boolean[] b = n > 1 ? Arrays.copyOf(decoding.boundaries(prompt, subs), n - 1) : new boolean[] {true};
        int len = b.length;
        System.arraycopy(b, 0, ends, 0, len);
        return decoding.prefill(Arrays.copyOf(prompt, len), Arrays.copyOf(subs, len), b);
    }

    /** Cached decoding on one engine: the predictor's boundaries, the prefill, and byte steps, each giving logits. */
    private interface Decoding extends AutoCloseable {
        boolean[] boundaries(int[] ids, int[] subwords);

        float[] prefill(int[] bytes, int[] subwords, boolean[] ends);

        float[] step(int byteId, int subword, boolean endsPatch);

        /** Patches in the global model's KV cache. */
        int patches();

        /** Frees what the engine keeps (the Java engine's plain arrays need nothing). */
        @Override
        default void close() {
        }
    }

    /** Decoding on the inference engine, with a global KV cache for {@code positions} patches at first. */
    private Decoding decoding(int positions) {
        CpuBolmo java = cpu != null ? cpu : CpuBolmo.forInference(model);
        if (java != null) {
            CpuBolmo.Session session = java.newSession(positions);
            return new Decoding() {
                @Override
                public boolean[] boundaries(int[] ids, int[] subwords) {
                    return java.boundaries(ids, subwords);
                }

                @Override
                public float[] prefill(int[] bytes, int[] subwords, boolean[] ends) {
                    return session.prefill(bytes, subwords, ends);
                }

                @Override
                public float[] step(int byteId, int subword, boolean endsPatch) {
                    return session.step(byteId, subword, endsPatch);
                }

                @Override
                public int patches() {
                    return session.patches();
                }
            };
        }
        return new DjlDecoding(positions);
    }

    /** Decoding on DJL: the cached state lives in a manager of its own, each step's arrays in a scope. */
    private final class DjlDecoding implements Decoding {
        private final NDManager m = Backend.newManager();
        private final KvCache cache;
        private BolmoModel.Cached s;

        DjlDecoding(int positions) {
            cache = new KvCache(config.global.numHiddenLayers, positions);
        }

        @Override
        public boolean[] boundaries(int[] ids, int[] subwords) {
            try (NDScope ignored = new NDScope()) {
                NDArray logp = model.encode(Ops.ids(m, ids, 1, ids.length), Ops.ids(m, subwords, 1, ids.length)).boundaryLogProb();
                return BolmoModel.boundaries(logp)[0];
            }
        }

        @Override
        public float[] prefill(int[] bytes, int[] subwords, boolean[] ends) {
            try (NDScope ignored = new NDScope()) {
                NDArray b = Ops.ids(m, bytes, 1, bytes.length), sw = Ops.ids(m, subwords, 1, bytes.length);
                s = kept(model.prefill(b, sw, Patches.of(new boolean[][] {ends}), cache), null, m);
            }
            return s.logits().toFloatArray();
        }

        @Override
        public float[] step(int byteId, int subword, boolean endsPatch) {
            try (NDScope ignored = new NDScope()) {
                s = kept(model.step(Ops.ids(m, new int[] {byteId}, 1), Ops.ids(m, new int[] {subword}, 1), endsPatch, s, cache), s, m);
            }
            return s.logits().toFloatArray();
        }

        @Override
        public int patches() {
            return cache.length();
        }

        @Override
        public void close() {
            cache.close();
            m.close();
        }
    }

    /**
     * Keeps {@code fresh} past the scope of its step and frees what it replaces in {@code old} (decoding runs without
     * autograd, so nothing else holds them).
     */
    private static BolmoModel.Cached kept(BolmoModel.Cached fresh, BolmoModel.Cached old, NDManager m) {
        NDScope.unregister(fresh.logits(), fresh.lastValue());
        fresh.logits().attach(m);
        fresh.lastValue().attach(m);
        Stream.concat(fresh.encoder().stream(), fresh.decoder().stream()).forEach(st -> st.keep().attach(m));
        if (old != null) {
            old.logits().close();
            if (old.lastValue() != fresh.lastValue()) { // a byte that ends no patch reads the same global output
                old.lastValue().close();
            }
            Stream.concat(old.encoder().stream(), old.decoder().stream()).forEach(MLstmState::close);
        }
        return fresh;
    }
}
