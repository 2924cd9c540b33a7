package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;
import io.bolmo4j.io.ParameterLayout;

/**
 * The non-causal boundary predictor with one byte of lookahead (paper §3.1.1, docs/bolmo.md §3.4):
 * {@code p_t = (1 − cos(Wq h_t, Wk h_{t+1})) / 2}, clipped at {@code cos ≤ 1 − 1e-3}. Byte t ends its patch iff
 * {@code p_t > 0.5} (strictly). Position 0 (BOS) always ends a patch; the last position, having no lookahead, never does.
 * With lookahead 0 it is the causal predictor of prior byte-level models that Bolmo is compared against (paper §6.1,
 * Table 3 "End, C"): {@code p_t} compares {@code h_{t−1}} with {@code h_t}, so byte t's decision cannot see byte t+1.
 */
public final class BoundaryPredictor {
    public static final String Q = ParameterLayout.LOCAL_ENCODER + "boundary_predictor_module.q_proj_layer.weight";
    public static final String K = ParameterLayout.LOCAL_ENCODER + "boundary_predictor_module.k_proj_layer.weight";
    /** log p of "never a boundary". */
    public static final float NEVER = -100000f;
    private static final float HALF = (float) Math.log(0.5);

    private final Params params;
    private final int lookahead;

    /** @param lookahead 1 (Bolmo) or 0 (causal), as {@link BolmoConfig} checked it */
    public BoundaryPredictor(Params params, int lookahead) {
        this.params = params;
        this.lookahead = lookahead;
    }

    /**
     * The predictor's tensors (under the local encoder, as in Hugging Face): the projections as the identity
     * (docs/bolmo.md §6.3 init), at first a boundary where h_t and h_{t+1} disagree.
     */
    static TensorTable tensors(BolmoConfig c) {
        return new TensorTable().identity(Q, c.hiddenSize).identity(K, c.hiddenSize);
    }

    /** Boundary log-probabilities {@code [B, L]} from encoder states {@code h [B, L, d]}. */
    public NDArray logProb(NDArray h) {
        long b = h.getShape().get(0), l = h.getShape().get(1);
        if (l < 2) {
            throw new IllegalArgumentException("boundary prediction needs at least 2 bytes");
        }
        NDArray q = l2Normalize(Ops.linear(h.get(":, :-1, :"), params.get(Q)));
        NDArray k = l2Normalize(Ops.linear(h.get(":, 1:, :"), params.get(K)));
        NDArray cos = q.mul(k).sum(new int[] {-1});
        NDArray clipped = cos.minimum(Ops.scalar(cos, 1f - 1e-3f));
        NDArray logp = clipped.neg().add(1f).log().sub((float) Math.log(2));
        NDArray first = h.getManager().zeros(new Shape(b, 1));
        if (lookahead == 0) { // pair (t−1, t) decides byte t
            return first.concat(logp, 1);
        }
        NDArray last = h.getManager().full(new Shape(b, 1), NEVER);
        return first.concat(logp.get(":, 1:"), 1).concat(last, 1);
    }

    /** Decisions {@code p > 0.5} (threshold "sample:0": strict, so cos = 0 is not a boundary). */
    public static boolean[][] boundaries(NDArray logp) {
        long b = logp.getShape().get(0), l = logp.getShape().get(1);
        float[] v = logp.toFloatArray();
        boolean[][] out = new boolean[(int) b][(int) l];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < l; t++) {
                out[i][t] = isBoundary(v[(int) (i * l + t)]);
            }
        }
        return out;
    }

    /** The decision for one boundary log-probability: {@code p > 0.5}, strictly. */
    public static boolean isBoundary(float logp) {
        return logp > HALF;
    }

    private static NDArray l2Normalize(NDArray x) {
        NDArray norm = x.square().sum(new int[] {-1}, true).sqrt().maximum(Ops.scalar(x, 1e-12f));
        return x.div(norm);
    }
}
