package io.bolmo4j.cpu;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.BoundaryPredictor;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.ParameterLayout;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@link BolmoModel} on the Java engine: the local encoder, the boundary predictor, pooling, the global model,
 * depooling, the local decoder and the fused 520-way head, with the same config, tensor names and maths, weights held
 * as stored. {@link #forward} scores a sequence; a {@link Session} decodes byte by byte with the mLSTM states and the
 * global model's KV cache (docs/bolmo.md §5.2).
 */
public final class CpuBolmo {
    private static final String ENC = ParameterLayout.LOCAL_ENCODER;
    private static final String DEC = ParameterLayout.LOCAL_DECODER;

    private final BolmoConfig cfg;
    private final Parallel parallel;
    private final Matrix byteEmbedding;
    /** Null when the config adds no subword-suffix embeddings. */
    private final Matrix subwordEmbedding;
    private final CpuLocalStack encoder;
    private final float[] encoderNorm;
    private final Matrix outProjection;
    private final float[] outBias;
    private final Matrix boundaryQ;
    private final Matrix boundaryK;
    private final CpuTransformer global;
    private final float[] initialNorm;
    private final Matrix inProjection;
    private final float[] inBias;
    private final CpuLocalStack decoder;
    private final float[] norm;
    private final Matrix lmHead;

    private CpuBolmo(BolmoConfig cfg, Weights w) {
        this.cfg = cfg;
        this.parallel = Parallel.of(InferenceEngine.threads());
        Map<String, long[]> s = cfg.tensorShapes();
        byteEmbedding = w.matrix(s, "", ENC + "byte_embedding.weight");
        subwordEmbedding = cfg.addExpandedEmbeddings ? w.matrix(s, "", ENC + "subword_embedding.weight") : null;
        encoder = new CpuLocalStack(w, ENC + "layers.", cfg.numLocalEncoderLayers, cfg.localConfig(), parallel);
        encoderNorm = w.vector(s, "", ENC + "post_last_block_norm.weight");
        outProjection = w.matrix(s, "", ENC + "out_projection.weight");
        outBias = w.vector(s, "", ENC + "out_projection.bias");
        boundaryQ = w.matrix(s, "", BoundaryPredictor.Q);
        boundaryK = w.matrix(s, "", BoundaryPredictor.K);
        global = new CpuTransformer(cfg.global, w, parallel);
        initialNorm = w.vector(s, "", DEC + "initial_norm.weight");
        inProjection = w.matrix(s, "", DEC + "in_projection.weight");
        inBias = w.vector(s, "", DEC + "in_projection.bias");
        decoder = new CpuLocalStack(w, DEC + "layers.", cfg.numLocalDecoderLayers, cfg.localConfig(), parallel);
        norm = w.vector(s, "", ParameterLayout.NORM);
        lmHead = w.matrix(s, "", ParameterLayout.LM_HEAD);
    }

    /** Maps the weights of a Bolmo checkpoint directory as the files store them (see {@link CpuOlmo#load}). */
    public static CpuBolmo load(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            BolmoConfig cfg = BolmoConfig.fromJson(ckpt.config(), dir.resolve(HfCheckpoint.CONFIG).toString());
            ckpt.requireNoneUnused(cfg.tensorShapes().keySet());
            return new CpuBolmo(cfg, Weights.mapped(ckpt));
        }
    }

    /** The Java engine over {@code model}'s parameters, valid while they hold the same tensors (one call's time). */
    public static CpuBolmo of(BolmoModel model) {
        return new CpuBolmo(model.config(), Weights.of(model.params()));
    }

    /** {@link #of} when inference runs on the Java engine ({@link InferenceEngine#current}), else null. */
    public static CpuBolmo forInference(BolmoModel model) {
        return InferenceEngine.current() == InferenceEngine.JAVA ? of(model) : null;
    }

    public BolmoConfig config() {
        return cfg;
    }

    /**
     * What a forward over one row gives.
     *
     * @param logits fused-id logits {@code [L, 520]}, row-major
     * @param boundaryLogProb the predictor's boundary log-probabilities {@code [L]}
     * @param boundaries the patch ends used (given, or the predictor's decisions)
     * @param patches the number of patches the global model ran over
     */
    public record Forward(float[] logits, float[] boundaryLogProb, boolean[] boundaries, int patches) {
        /** The logits' log-softmax over each position's 520 ids. */
        public float[] logSoftmax() {
            int v = BolmoConfig.BYTE_VOCAB;
            float[] out = new float[logits.length];
            for (int o = 0; o < logits.length; o += v) {
                float z = (float) Vectors.logSumExp(logits, o, v);
                for (int i = 0; i < v; i++) {
                    out[o + i] = logits[o + i] - z;
                }
            }
            return out;
        }
    }

    /**
     * The full forward over BOS-prefixed byte ids with their subword-suffix ids, as {@link BolmoModel#forward}.
     *
     * @param given patch ends, or null for the predictor's
     */
    public Forward forward(int[] ids, int[] subwords, boolean[] given) {
        float[] h = encode(ids, subwords, encoder.newState());
        float[] logp = boundaryLogProb(h, ids.length);
        boolean[] b = given != null ? given : decisions(logp);
        float[] normed = globalStates(h, ends(b), null);
        float[] u = decoderStates(h, ids.length, normed, depool(b), decoder.newState());
        return new Forward(head(u, ids.length), logp, b, normed.length / cfg.hiddenSize);
    }

    /** The predictor's patch ends over BOS-prefixed byte ids (the last byte, without lookahead, never ends one). */
    public boolean[] boundaries(int[] ids, int[] subwords) {
        return decisions(boundaryLogProb(encode(ids, subwords, encoder.newState()), ids.length));
    }

    /** A cached decoding session whose global KV cache starts with room for {@code patches} patches. */
    public Session newSession(int patches) {
        return new Session(patches);
    }

    /** Cached decoding (batch 1): mLSTM states, the global model's KV cache and the latest patch's global output. */
    public final class Session {
        private final CpuLocalStack.State encoderState = encoder.newState();
        private final CpuLocalStack.State decoderState = decoder.newState();
        private final CpuKvCache cache;
        /** {@code initial_norm} of the latest patch's global output, which the decoder reads until the next patch ends. */
        private float[] lastValue;

        private Session(int patches) {
            cache = global.newCache(patches);
        }

        /** Patches in the global model's KV cache. */
        public int patches() {
            return cache.length();
        }

        /** Feeds a prefix cut into patches at {@code ends}; returns the next byte's fused-id logits. */
        public float[] prefill(int[] bytes, int[] subwords, boolean[] ends) {
            int l = bytes.length, d = cfg.hiddenSize;
            float[] h = encode(bytes, subwords, encoderState);
            float[] normed = globalStates(h, ends(ends), cache);
            lastValue = new float[d];
            System.arraycopy(normed, normed.length - d, lastValue, 0, d);
            float[] u = decoderStates(h, l, normed, depool(ends), decoderState);
            float[] last = new float[d];
            System.arraycopy(u, (l - 1) * d, last, 0, d);
            return head(last, 1);
        }

        /** Feeds one byte; one that ends its patch steps the global model once. Returns the next byte's logits. */
        public float[] step(int byteId, int subword, boolean endsPatch) {
            float[] h = encode(new int[] {byteId}, new int[] {subword}, encoderState);
            if (endsPatch) {
                float[] z = Products.of(parallel, h, 1, outProjection, outBias);
                global.forward(z, 1, cache);
                lastValue = Vectors.rmsNorm(z, cfg.hiddenSize, initialNorm, (float) cfg.localRmsNormEps);
            }
            float[] u = Products.of(parallel, h, 1, inProjection, inBias);
            for (int i = 0; i < u.length; i++) {
                u[i] += lastValue[i];
            }
            decoder.forward(u, 1, decoderState);
            return head(u, 1);
        }
    }

    /** The local encoder's normed states {@code h [L, d]}, continuing from {@code state}. */
    private float[] encode(int[] ids, int[] subwords, CpuLocalStack.State state) {
        int d = cfg.hiddenSize, l = ids.length;
        float[] x = new float[l * d];
        float[] row = new float[d];
        for (int t = 0; t < l; t++) {
            byteEmbedding.row(ids[t], x, t * d);
            if (subwordEmbedding != null) {
                subwordEmbedding.row(subwords[t], row, 0);
                for (int i = 0; i < d; i++) {
                    x[t * d + i] += row[i];
                }
            }
        }
        encoder.forward(x, l, state);
        return Vectors.rmsNorm(x, d, encoderNorm, (float) cfg.localRmsNormEps);
    }

    /**
     * {@code log p} of "byte t ends its patch", {@code [L]} (see {@link BoundaryPredictor}): {@code (1 − cos(Wq h_t,
     * Wk h_{t+1})) / 2} clipped, position 0 always a boundary, the last never (with lookahead 1).
     */
    private float[] boundaryLogProb(float[] h, int l) {
        if (l < 2) {
            throw new IllegalArgumentException("boundary prediction needs at least 2 bytes");
        }
        int d = cfg.hiddenSize;
        float[][] qk = Products.of(parallel, h, l, boundaryQ, boundaryK);
        float[] pairs = new float[l - 1]; // pair (t, t + 1)
        float log2 = (float) Math.log(2);
        for (int t = 0; t < l - 1; t++) {
            float q = norm(qk[0], t * d, d), k = norm(qk[1], (t + 1) * d, d);
            float cos = 0;
            for (int i = 0; i < d; i++) {
                cos += qk[0][t * d + i] / q * (qk[1][(t + 1) * d + i] / k);
            }
            pairs[t] = (float) Math.log(1f - Math.min(cos, 1f - 1e-3f)) - log2;
        }
        float[] logp = new float[l];
        if (cfg.boundaryPredictorLookahead == 0) { // pair (t − 1, t) decides byte t
            System.arraycopy(pairs, 0, logp, 1, l - 1);
        } else {
            System.arraycopy(pairs, 1, logp, 1, l - 2);
            logp[l - 1] = BoundaryPredictor.NEVER;
        }
        return logp;
    }

    /** The L2 norm of {@code x[at, at + n)}, at least 1e-12. */
    private static float norm(float[] x, int at, int n) {
        return Math.max((float) Math.sqrt(Kernels.dot(x, at, x, at, n)), 1e-12f);
    }

    private static boolean[] decisions(float[] logp) {
        boolean[] b = new boolean[logp.length];
        for (int t = 0; t < b.length; t++) {
            b[t] = BoundaryPredictor.isBoundary(logp[t]);
        }
        return b;
    }

    /** The positions of patch ends (the first byte when there is none, as the DJL path pads). */
    private static int[] ends(boolean[] b) {
        int[] ends = IntStream.range(0, b.length).filter(t -> b[t]).toArray();
        return ends.length == 0 ? new int[] {0} : ends;
    }

    /** The patch each byte's decoder step reads: the latest whose last byte is at or before it. */
    private static int[] depool(boolean[] b) {
        int[] k = new int[b.length];
        int seen = 0, patches = Math.max(1, (int) IntStream.range(0, b.length).filter(t -> b[t]).count());
        for (int t = 0; t < b.length; t++) {
            seen += b[t] ? 1 : 0;
            k[t] = Math.max(0, Math.min(seen - 1, patches - 1));
        }
        return k;
    }

    /** Pooling, the global model and {@code initial_norm}: {@code [P, d]} for the patches ending at {@code ends}. */
    private float[] globalStates(float[] h, int[] ends, CpuKvCache cache) {
        int d = cfg.hiddenSize, p = ends.length;
        float[] pooled = new float[p * d];
        for (int i = 0; i < p; i++) {
            System.arraycopy(h, ends[i] * d, pooled, i * d, d);
        }
        float[] z = Products.of(parallel, pooled, p, outProjection, outBias);
        global.forward(z, p, cache);
        return Vectors.rmsNorm(z, d, initialNorm, (float) cfg.localRmsNormEps);
    }

    /** Depooling and the local decoder: {@code in_projection(h) + normed[patch of t]}, then the decoder layers. */
    private float[] decoderStates(float[] h, int l, float[] normed, int[] patchOf, CpuLocalStack.State state) {
        int d = cfg.hiddenSize;
        float[] u = Products.of(parallel, h, l, inProjection, inBias);
        for (int t = 0; t < l; t++) {
            for (int i = 0; i < d; i++) {
                u[t * d + i] += normed[patchOf[t] * d + i];
            }
        }
        decoder.forward(u, l, state);
        return u;
    }

    /** The fused 520-way head over {@code rows} decoder states. */
    private float[] head(float[] u, int rows) {
        return Products.of(parallel, Vectors.rmsNorm(u, cfg.hiddenSize, norm, (float) cfg.rmsNormEps), rows, lmHead);
    }
}
