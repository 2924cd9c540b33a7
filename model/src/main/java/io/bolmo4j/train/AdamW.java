package io.bolmo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AdamW with decoupled weight decay and bias correction, over named parameters, updated in place outside the
 * autograd graph (so Java scalars are safe here). Gradients are read from each parameter and zeroed after the
 * update, because DJL's gradient collector accumulates.
 */
public final class AdamW {
    /** A parameter group: its parameters, learning-rate multiplier and weight decay. */
    public record Group(Map<String, NDArray> params, double lrScale, double weightDecay) {}

    private final List<Group> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager stateManager;
    private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
    private long step;

    public AdamW(List<Group> groups, double beta1, double beta2, double eps, NDManager stateManager) {
        this.groups = groups;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.stateManager = stateManager;
        for (Group g : groups) {
            for (Map.Entry<String, NDArray> e : g.params().entrySet()) {
                NDArray m = stateManager.zeros(e.getValue().getShape());
                NDArray v = stateManager.zeros(e.getValue().getShape());
                NDScope.unregister(m, v);
                moments.put(e.getKey(), new NDArray[] {m, v});
            }
        }
    }

    /** Splits {@code params} into a decayed group and a no-decay group (names matching {@code noDecay}). */
    public static List<Group> decayGroups(Map<String, NDArray> params, double lrScale, double weightDecay, Predicate<String> noDecay) {
        Map<String, NDArray> decay = new LinkedHashMap<>(), none = new LinkedHashMap<>();
        params.forEach((k, v) -> (noDecay.test(k) ? none : decay).put(k, v));
        return List.of(new Group(decay, lrScale, weightDecay), new Group(none, lrScale, 0));
    }

    /** Global L2 norm of all gradients. */
    public double gradNorm() {
        double sq = 0;
        // The scope matters: results attach to the gradient's (long-lived) manager and would leak every step.
        try (NDScope ignored = new NDScope()) {
            for (Group g : groups) {
                for (NDArray p : g.params().values()) {
                    try (NDArray grad = p.getGradient()) {
                        sq += grad.square().sum().getFloat();
                    }
                }
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * One update at learning rate {@code lr}, after scaling gradients by {@code gradScale} (global-norm clipping);
     * zeroes the gradients.
     */
    public void step(double lr, double gradScale) {
        Backend.noGrad();
        step++;
        double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
        for (Group g : groups) {
            double glr = lr * g.lrScale();
            for (Map.Entry<String, NDArray> e : g.params().entrySet()) {
                NDArray p = e.getValue();
                NDArray[] mv = moments.get(e.getKey());
                try (NDScope ignored = new NDScope(); NDArray grad = p.getGradient()) {
                    NDArray gr = gradScale == 1 ? grad : grad.mul(gradScale);
                    mv[0].muli(beta1).addi(gr.mul(1 - beta1));
                    mv[1].muli(beta2).addi(gr.square().muli(1 - beta2));
                    if (g.weightDecay() > 0) {
                        p.muli(1 - glr * g.weightDecay());
                    }
                    NDArray update = mv[0].div(c1).div(mv[1].div(c2).sqrt().addi(eps)).muli(glr);
                    p.subi(update);
                    grad.subi(grad); // zero: the collector accumulates into the same buffer
                }
            }
        }
    }

    public long stepCount() {
        return step;
    }

    /** The first and second moments of a parameter (for checkpoints). */
    public NDArray[] moments(String name) {
        return moments.get(name);
    }

    /** Restores the step count after loading moments. */
    public void setStepCount(long s) {
        step = s;
    }
}
