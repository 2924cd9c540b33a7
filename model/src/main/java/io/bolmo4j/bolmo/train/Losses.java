package io.bolmo4j.bolmo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.engine.Ops;

/** Bolmo's training losses (docs/bolmo.md §6.3), in log space, as differentiable DJL ops. */
public final class Losses {
    /** ε of the τ-KL (docs/bolmo.md §6.3). */
    static final float KL_EPS = 1e-6f;
    /** Weight of the boundary BCE in both stages (Ai2's training scripts; docs/bolmo.md §6.3-6.4). */
    static final float BOUNDARY_WEIGHT = 4f;
    /** Weight of Stage 1's encoder loss (Ai2's training scripts; the paper writes 1; docs/bolmo.md §6.3). */
    static final float ENCODER_WEIGHT = 4f;

    private Losses() {}

    /**
     * {@code log(1 − e^x)} for x < 0, stable at both ends: {@code log1p(−e^x)} below −ln 2, and {@code log(−expm1(x))}
     * near 0, where {@code −expm1(x) = −2t/(1−t)} with {@code t = tanh(x/2)} keeps full precision (there is no expm1
     * op in the engine). Callers clip x below 0.
     */
    public static NDArray log1mexp(NDArray x) {
        NDArray far = x.exp().neg().add(1f).log();
        NDArray t = x.mul(Ops.scalar(x, 0.5f)).tanh();
        NDArray near = t.mul(Ops.scalar(x, -2f)).log().sub(t.neg().add(1f).log());
        NDArray useNear = x.gt(Ops.scalar(x, (float) -Math.log(2)));
        return NDArrays.where(useNear, near, far);
    }

    /**
     * Boundary BCE (weight {@link #BOUNDARY_WEIGHT} in both stages): {@code −[y log p + (1−y) log(1−p)]} with {@code log p ≤ −1e-3},
     * averaged over {@code mask} (1 = counts).
     */
    public static NDArray boundaryBce(NDArray logp, NDArray target, NDArray mask) {
        NDArray lp = logp.minimum(Ops.scalar(logp, -1e-3f));
        NDArray l1mp = log1mexp(lp);
        NDArray bce = target.mul(lp).add(target.neg().add(1f).mul(l1mp)).neg();
        return masked(bce, mask);
    }

    /**
     * The temperature-modulated Bernoulli KL of the exact patch distillation (paper §3.2.1, docs/bolmo.md §6.3): with
     * {@code a = y/τ − ε}, {@code â = ŷ/τ − ε}, {@code P = e^a}: {@code P(a − â) + (1 − P)(log(1−P) − log(1−Q))}.
     *
     * @param teacher log p of each patch under the teacher (constant)
     * @param student the student's patch log-likelihoods
     */
    public static NDArray tauKl(NDArray teacher, NDArray student, float tau, NDArray mask) {
        NDArray invTau = Ops.scalar(student, 1f / tau);
        NDArray a = teacher.mul(invTau).sub(KL_EPS);
        NDArray ah = student.mul(invTau).sub(KL_EPS);
        NDArray p = a.exp();
        NDArray kl = p.mul(a.sub(ah)).add(p.neg().add(1f).mul(log1mexp(a).sub(log1mexp(ah))));
        return masked(kl, mask);
    }

    /** Share of masked positions where the predictor's boundary decision (p > 0.5) equals the target (not differentiated). */
    public static float boundaryAccuracy(NDArray logp, NDArray target, NDArray mask) {
        NDArray predicted = logp.gt(Ops.scalar(logp, (float) Math.log(0.5))).toType(DataType.FLOAT32, false);
        return masked(predicted.eq(target).toType(DataType.FLOAT32, false), mask).getFloat();
    }

    /** Mean of {@code x} over positions where {@code mask} is 1. */
    public static NDArray masked(NDArray x, NDArray mask) {
        return x.mul(mask).sum().div(mask.sum().maximum(Ops.scalar(mask, 1f)));
    }
}
