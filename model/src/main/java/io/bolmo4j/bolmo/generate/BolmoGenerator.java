package io.bolmo4j.bolmo.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Patches;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
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
 * once, with a KV cache per patch. A patch never grows past {@link #maxPatchBytes} bytes.
 */
public final class BolmoGenerator {
    private final BolmoModel model;
    private final SubwordSuffixTrie trie;
    private int maxPatchBytes = 128;
    private int minNewBytes;
    private List<String> stopTexts = List.of();
    private boolean stoppedAtContext;

    public BolmoGenerator(BolmoModel model, SubwordSuffixTrie trie) {
        this.model = model;
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
        int context = model.config().global.maxPositionEmbeddings; // in patches: the global model's positions
        // room for a short generation; a long one grows the arrays (any --max-new, however large, costs what it makes)
        int[] ids = Arrays.copyOf(promptIds, n + Math.min(options.maxNewTokens(), 1 << 16) + 1);
        boolean[] ends = new boolean[ids.length];
        int generated = 0;
        stoppedAtContext = false;
        try (NDManager m = Backend.newManager(); KvCache cache = new KvCache(model.config().global.numHiddenLayers,
                (int) Math.min((long) n + options.maxNewTokens() + 1, context))) {
            BolmoModel.Cached s = prefill(promptIds, ends, m, cache);
            if (cache.length() > context) {
                throw new IllegalArgumentException("the prompt makes " + cache.length() + " patches; the global model's"
                        + " context is " + context + " (max_position_embeddings)");
            }
            float[] logits = s.logits().toFloatArray();
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
                    if (boundary && cache.length() >= context) {
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
                    s = step(s, ids, len, boundary, m, cache);
                    logits = s.logits().toFloatArray();
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

    /** Feeds the prompt but its last byte (or the lone BOS), marking its patch ends in {@code ends}. */
    private BolmoModel.Cached prefill(int[] prompt, boolean[] ends, NDManager m, KvCache cache) {
        int n = prompt.length;
        try (NDScope ignored = new NDScope()) {
            int[] subs = trie.expand(prompt);
            boolean[] b;
            if (n > 1) {
                // boundary pass over the whole prompt, then roll back one byte
                NDArray logp = model.encode(Ops.ids(m, prompt, 1, n), Ops.ids(m, subs, 1, n)).boundaryLogProb();
                b = Arrays.copyOf(BolmoModel.boundaries(logp)[0], n - 1);
            } else {
                b = new boolean[] {true};
            }
            int len = b.length;
            System.arraycopy(b, 0, ends, 0, len);
            NDArray bytes = Ops.ids(m, Arrays.copyOf(prompt, len), 1, len);
            NDArray subwords = Ops.ids(m, Arrays.copyOf(subs, len), 1, len);
            return kept(model.prefill(bytes, subwords, Patches.of(new boolean[][] {b}), cache), null, m);
        }
    }

    /** Feeds byte {@code history[last]} after {@code s}. */
    private BolmoModel.Cached step(BolmoModel.Cached s, int[] history, int last, boolean boundary, NDManager m, KvCache cache) {
        try (NDScope ignored = new NDScope()) {
            NDArray sub = Ops.ids(m, new int[] {trie.expandAt(history, last)}, 1);
            return kept(model.step(Ops.ids(m, new int[] {history[last]}, 1), sub, boundary, s, cache), s, m);
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
