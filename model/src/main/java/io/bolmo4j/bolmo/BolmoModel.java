package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.mlstm.LocalStack;
import io.bolmo4j.mlstm.MLstmCell;
import io.bolmo4j.olmo.TransformerStack;

import java.util.Random;
import java.util.function.Function;

/**
 * Bolmo, the byteified language model (paper §3.1, docs/bolmo.md §3), read top to bottom:
 * <pre>
 *   h      = LocalEncoder(bytes, subword-suffix ids)            per byte
 *   b      = BoundaryPredictor(h_t, h_{t+1})                     non-causal, one byte of lookahead
 *   z      = Pooling(out_projection(h), b)                       one vector per patch (its last byte)
 *   G      = GlobalModel(z)                                      the teacher's transformer layers
 *   u      = LocalDecoder(in_projection(h) + Depooling(norm(G)))
 *   logits = LmHead(u)                                           520-way: next byte × "ends its patch"
 * </pre>
 */
public final class BolmoModel implements AutoCloseable {

    private final BolmoConfig config;
    private final Params params;
    private final LocalEncoder encoder;
    private final BoundaryPredictor predictor;
    private final TransformerStack global;
    private final LocalDecoder decoder;
    private final LmHead head;

    /** Wraps parameters holding every tensor of {@code config} (shapes are checked). */
    public BolmoModel(BolmoConfig config, Params params) {
        config.tensorShapes().forEach(params::get);
        this.config = config;
        this.params = params;
        MLstmCell cell = new MLstmCell();
        this.encoder = new LocalEncoder(config, params, cell);
        this.predictor = new BoundaryPredictor(params, config.boundaryPredictorLookahead);
        this.global = new TransformerStack(config.global, params);
        this.decoder = new LocalDecoder(config, params, cell);
        this.head = new LmHead(config, params);
    }

    /**
     * Random local parameters (mLSTM init of the xLSTM code, input-gate bias −10, boundary projections = identity)
     * and random global layers: for tests. {@code Byteify} initialises from a teacher instead.
     */
    public static BolmoModel random(BolmoConfig config, long seed) {
        Params p = Params.create();
        Random rng = new Random(seed);
        initLocal(config, p, rng);
        TransformerStack.initialize(config.global, p, rng, 0.02);
        return new BolmoModel(config, p);
    }

    /** Creates every non-global tensor with its default initialisation (docs/bolmo.md §6.3 init where data-independent). */
    static void initLocal(BolmoConfig c, Params p, Random rng) {
        long d = c.hiddenSize;
        String enc = ParameterLayout.LOCAL_ENCODER, dec = ParameterLayout.LOCAL_DECODER;
        p.putNormal(enc + "byte_embedding.weight", rng, 0.02, BolmoConfig.BYTE_VOCAB, d);
        if (c.addExpandedEmbeddings) {
            p.putNormal(enc + "subword_embedding.weight", rng, 0.02, c.subwordVocabSize, d);
        }
        LocalStack.init(p, enc + "layers.", c.numLocalEncoderLayers, c.localConfig(), rng);
        p.putConstant(enc + "post_last_block_norm.weight", 1f, d);
        p.put(enc + "out_projection.weight", identity((int) d), d, d);
        p.putConstant(enc + "out_projection.bias", 0f, d);
        p.put(BoundaryPredictor.Q, identity((int) d), d, d);
        p.put(BoundaryPredictor.K, identity((int) d), d, d);
        p.putConstant(dec + "initial_norm.weight", 1f, d);
        p.putNormal(dec + "in_projection.weight", rng, Math.sqrt(1.0 / d), d, d);
        p.putConstant(dec + "in_projection.bias", 0f, d);
        LocalStack.init(p, dec + "layers.", c.numLocalDecoderLayers, c.localConfig(), rng);
        p.putConstant(ParameterLayout.NORM, 1f, d);
        p.putNormal(ParameterLayout.LM_HEAD, rng, 0.02, BolmoConfig.BYTE_VOCAB, d);
    }

    static float[] identity(int d) {
        float[] eye = new float[d * d];
        for (int i = 0; i < d; i++) {
            eye[i * d + i] = 1f;
        }
        return eye;
    }

    public BolmoConfig config() {
        return config;
    }

    public Params params() {
        return params;
    }

    public LocalEncoder encoder() {
        return encoder;
    }

    public TransformerStack global() {
        return global;
    }

    public LocalDecoder decoder() {
        return decoder;
    }

    public LmHead head() {
        return head;
    }

    /** Boundary log-probabilities {@code [B, L]} of encoder states (see {@link BoundaryPredictor}). */
    public NDArray boundaryLogProb(NDArray h) {
        return predictor.logProb(h);
    }

    /** Boundary decisions from log-probabilities (see {@link BoundaryPredictor#boundaries}). */
    public static boolean[][] boundaries(NDArray logp) {
        return BoundaryPredictor.boundaries(logp);
    }

    /** Everything one full forward produces. */
    public record Forward(NDArray h, NDArray boundaryLogProb, Patches patches, NDArray global, NDArray logits) {}

    /** The local encoder's states {@code h [B, L, d]} and the boundary log-probabilities {@code [B, L]} read from them. */
    public record Encoded(NDArray h, NDArray boundaryLogProb) {}

    /**
     * The local encoder and the boundary predictor over {@code bytes [B, L]} with subword-suffix ids
     * {@code subwords [B, L]} (int64): where the full forward, both training stages and oracle scoring start.
     */
    public Encoded encode(NDArray bytes, NDArray subwords) {
        NDArray h = encoder.forward(bytes, subwords, null, MLstmCell.Form.CHUNKWISE).h();
        return new Encoded(h, boundaryLogProb(h));
    }

    /**
     * The full forward over {@code bytes [B, L]} with subword-suffix ids {@code subwords [B, L]} (both int64).
     *
     * @param boundaries given patch ends (teacher forcing, or the boundaries fixed while decoding), or null to use
     *                   the predictor's
     */
    public Forward forward(NDArray bytes, NDArray subwords, boolean[][] boundaries) {
        return forwardPatched(bytes, subwords, logp -> boundaries != null ? boundaries : boundaries(logp));
    }

    /**
     * The full forward with the patch ends that {@code patching} chooses from the boundary log-probabilities
     * {@code [B, L]} (e.g. the predictor's decisions with padding masked, as Stage 2 trains).
     */
    public Forward forwardPatched(NDArray bytes, NDArray subwords, Function<NDArray, boolean[][]> patching) {
        Encoded enc = encode(bytes, subwords);
        Patches patches = Patches.of(patching.apply(enc.boundaryLogProb()));
        NDArray g = global.forward(pool(enc.h(), patches));
        return new Forward(enc.h(), enc.boundaryLogProb(), patches, g, decode(enc.h(), patches, g));
    }

    /** Pooling: the patch representations {@code z [B, P, d]} the global model reads (last byte of each patch). */
    public NDArray pool(NDArray h, Patches patches) {
        return patches.pool(encoder.patchRepresentation(h));
    }

    /**
     * Depooling, local decoder and LM head: fused-id logits {@code [B, L, 520]} from encoder states and global states
     * {@code [B, P, d]} (the global model's, or in Stage 1 the teacher's final states).
     */
    public NDArray decode(NDArray h, Patches patches, NDArray global) {
        return head.logits(decoder.forward(h, patches.depool(decoder.normGlobal(global)), null, MLstmCell.Form.CHUNKWISE).output());
    }

    /**
     * The forward over one row of BOS-prefixed byte ids, with their subword-suffix ids from {@code trie}; the arrays
     * live in the caller's {@link ai.djl.ndarray.NDScope}.
     *
     * @param boundaries given patch ends for the row, or null to use the predictor's
     */
    public Forward forward(int[] ids, SubwordSuffixTrie trie, boolean[] boundaries) {
        NDManager m = params.manager();
        return forward(Ops.ids(m, ids, 1, ids.length), Ops.ids(m, trie.expand(ids), 1, ids.length),
                boundaries == null ? null : new boolean[][] {boundaries});
    }

    /** Closes the parameters. */
    @Override
    public void close() {
        params.close();
    }

}
