package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.mlstm.LocalStack;
import io.bolmo4j.mlstm.MLstmCell;
import io.bolmo4j.mlstm.MLstmState;
import io.bolmo4j.olmo.KvCache;
import io.bolmo4j.olmo.TransformerStack;

import java.util.List;
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
 *   logits = lm_head(RMSNorm(u))                                 520-way: next byte × "ends its patch"
 * </pre>
 */
public final class BolmoModel implements AutoCloseable {

    private final BolmoConfig config;
    private final Params params;
    private final LocalEncoder encoder;
    private final BoundaryPredictor predictor;
    private final TransformerStack global;
    private final LocalDecoder decoder;

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
        for (TensorTable t : List.of(LocalEncoder.tensors(c), BoundaryPredictor.tensors(c), LocalDecoder.tensors(c), head(c))) {
            t.init(p, rng);
        }
    }

    /** The final norm (one) and the LM head over the 520 byte ids, N(0, 0.02). */
    static TensorTable head(BolmoConfig c) {
        return new TensorTable().constant(ParameterLayout.NORM, 1f, c.hiddenSize)
                .normal(ParameterLayout.LM_HEAD, 0.02, BolmoConfig.BYTE_VOCAB, c.hiddenSize);
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
        NDArray h = encoder.forward(bytes, subwords, null, MLstmCell.Form.CHUNKWISE).output();
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
        return logits(decoder.forward(h, patches.depool(decoder.normGlobal(global)), null, MLstmCell.Form.CHUNKWISE).output());
    }

    /**
     * The state of cached decoding after the bytes fed so far (docs/bolmo.md §5.2).
     *
     * @param logits the next byte's fused-id logits {@code [1, 520]}
     * @param encoder the local encoder's mLSTM states after the last byte
     * @param decoder the local decoder's mLSTM states after the last byte
     * @param lastValue {@code initial_norm} of the latest patch's global output {@code [1, d]}, which the decoder reads
     *                  at every byte until the next patch ends
     */
    public record Cached(NDArray logits, List<MLstmState> encoder, List<MLstmState> decoder, NDArray lastValue) {}

    /**
     * The parallel forward over a prefix {@code bytes [1, L]} with subword-suffix ids {@code subwords [1, L]} cut into
     * {@code patches}, filling {@code cache} with the global model's keys and values of every patch.
     */
    public Cached prefill(NDArray bytes, NDArray subwords, Patches patches, KvCache cache) {
        LocalStack.Result enc = encoder.forward(bytes, subwords, null, MLstmCell.Form.CHUNKWISE);
        NDArray normed = decoder.normGlobal(global.forward(pool(enc.output(), patches), cache, global.numLayers()));
        LocalStack.Result dec = decoder.forward(enc.output(), patches.depool(normed), null, MLstmCell.Form.CHUNKWISE);
        return new Cached(logits(dec.output().get(":, -1, :")), enc.states(), dec.states(), normed.get(":, -1, :"));
    }

    /**
     * Feeds one byte {@code [1]} with its subword-suffix id {@code [1]} after {@code previous}; a byte that ends its
     * patch steps the global model once (through {@code cache}) and gives the decoder a new {@code lastValue}.
     */
    public Cached step(NDArray byteId, NDArray subword, boolean endsPatch, Cached previous, KvCache cache) {
        LocalStack.Result enc = encoder.step(byteId, subword, previous.encoder());
        NDArray value = previous.lastValue();
        if (endsPatch) {
            NDArray z = encoder.patchRepresentation(enc.output()).expandDims(1);
            value = decoder.normGlobal(global.forward(z, cache, global.numLayers())).get(":, 0, :");
        }
        LocalStack.Result dec = decoder.step(enc.output(), value, previous.decoder());
        return new Cached(logits(dec.output()), enc.states(), dec.states(), value);
    }

    /**
     * The fused 520-way LM head (docs/bolmo.md §3.6): {@code lm_head(RMSNorm_final(u))}. Id {@code 4+b} is "next byte
     * b, no patch end"; id {@code 264+b} is "next byte b, and it ends its patch".
     */
    private NDArray logits(NDArray u) {
        NDArray normed = Ops.rmsNorm(u, params.get(ParameterLayout.NORM), (float) config.rmsNormEps);
        return Ops.linear(normed, params.get(ParameterLayout.LM_HEAD));
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
