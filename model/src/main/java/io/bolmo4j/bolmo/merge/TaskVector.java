package io.bolmo4j.bolmo.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task arithmetic on a byteified model (paper §5.2, docs/bolmo.md §8): {@code θ += α (θ_instruct − θ_base)} on the
 * tensors {@link ParameterLayout#carriesTaskVector} names, the global layers and {@code model.norm.weight}; the local
 * models, boundary predictor and byte LM head stay as they are.
 */
public final class TaskVector {
    private TaskVector() {}

    /**
     * The tensors that receive the task vector: the Bolmo's tensors {@link ParameterLayout#carriesTaskVector} names,
     * which both subword models must hold with the same shape. The one rule for the in-memory merge and
     * {@link TaskVectorMerge}, on shapes by tensor name.
     *
     * @throws IllegalArgumentException naming the first such tensor a subword model lacks or holds in another shape
     */
    public static List<String> mergedTensors(Map<String, long[]> bolmo, Map<String, long[]> instruct, Map<String, long[]> base) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, long[]> e : bolmo.entrySet()) {
            if (!ParameterLayout.carriesTaskVector(e.getKey())) {
                continue;
            }
            long[] i = instruct.get(e.getKey()), s = base.get(e.getKey());
            if (i == null || s == null || !Arrays.equals(i, e.getValue()) || !Arrays.equals(s, i)) {
                throw new IllegalArgumentException(e.getKey() + " is " + Arrays.toString(e.getValue()) + " in the Bolmo but "
                        + (i == null ? "missing" : Arrays.toString(i)) + " in the instruct model and "
                        + (s == null ? "missing" : Arrays.toString(s)) + " in the base: not the Bolmo's teacher architecture");
            }
            names.add(e.getKey());
        }
        return names;
    }

    private static Map<String, long[]> shapes(Params p) {
        Map<String, long[]> m = new LinkedHashMap<>();
        p.asMap().forEach((k, v) -> m.put(k, v.getShape().getShape()));
        return m;
    }

    /**
     * Checks that base and instruct share an architecture and that the base is the model this Bolmo was byteified from
     * (same family of layers, global layer count and widths).
     */
    public static void checkArchitectures(BolmoConfig bolmo, OlmoConfig instruct, OlmoConfig base) {
        if (base.family != instruct.family || base.hiddenSize != instruct.hiddenSize || base.numHiddenLayers != instruct.numHiddenLayers
                || base.intermediateSize != instruct.intermediateSize || base.numKeyValueHeads != instruct.numKeyValueHeads) {
            throw new IllegalArgumentException("instruct model " + instruct + " does not share the base's architecture " + base);
        }
        OlmoConfig g = bolmo.global;
        boolean sameLayers = g.normPlacement == base.normPlacement && g.qkNorm == base.qkNorm && g.qkvBias == base.qkvBias;
        if (!sameLayers || g.hiddenSize != base.hiddenSize || g.numHiddenLayers != base.numHiddenLayers
                || g.intermediateSize != base.intermediateSize) {
            throw new IllegalArgumentException("the base " + base + " is not the model this Bolmo was byteified from (global model "
                    + g + ")");
        }
    }

    /**
     * Adds {@code α (instruct − base)} in place and returns the merged tensor names, after {@link #checkArchitectures}
     * and the distance checks of {@link TaskVectorMerge} at its default limits (the base is the Bolmo's teacher, the
     * instruct model a post-training of the base).
     */
    public static List<String> merge(BolmoModel bolmo, OlmoModel instruct, OlmoModel base, double alpha) {
        Backend.noGrad();
        if (!(Double.isFinite(alpha))) {
            throw new IllegalArgumentException("alpha must be finite, got " + alpha);
        }
        checkArchitectures(bolmo.config(), instruct.config(), base.config());
        List<String> names = mergedTensors(shapes(bolmo.params()), shapes(instruct.params()), shapes(base.params()));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no tensor is shared by name and shape: nothing to merge");
        }
        for (String n : names) { // all checked before any changes: a refused merge leaves the Bolmo as it was
            try (NDScope ignored = new NDScope()) {
                NDArray b = base.params().get(n);
                double norm2 = squaredSum(b);
                TaskVectorMerge.requireClose("the Bolmo", "the instruct model", "the base", n,
                        TaskVectorMerge.distance(squaredSum(bolmo.params().get(n).toDevice(b.getDevice(), false).sub(b)), norm2),
                        TaskVectorMerge.distance(squaredSum(instruct.params().get(n).sub(b)), norm2), TaskVectorMerge.Options.defaults());
            }
        }
        for (String n : names) {
            try (NDScope ignored = new NDScope()) {
                addDelta(bolmo.params().get(n), instruct.params().get(n), base.params().get(n), (float) alpha);
            }
        }
        return names;
    }

    private static double squaredSum(NDArray x) {
        return x.toType(DataType.FLOAT64, false).square().sum().getDouble();
    }

    /** {@code θ += (θ_instruct − θ_base)·α} in place, in fp32: the arithmetic {@link TaskVectorMerge} reproduces. */
    public static void addDelta(NDArray theta, NDArray instruct, NDArray base, float alpha) {
        NDArray delta = instruct.sub(base).mul(alpha);
        theta.addi(delta.toDevice(theta.getDevice(), false));
    }

    /**
     * How far apart two models' global layers are relative to the base (‖instruct − base‖ / ‖base‖ over the merged
     * tensors): small values mean a light post-training whose task vector should transfer.
     */
    public static double relativeDistance(OlmoModel instruct, OlmoModel base) {
        double diff = 0, norm = 0;
        for (Map.Entry<String, NDArray> e : base.params().asMap().entrySet()) {
            if (!ParameterLayout.isGlobal(e.getKey())) {
                continue;
            }
            float[] a = e.getValue().toFloatArray(), b = instruct.params().get(e.getKey()).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                diff += (b[i] - a[i]) * (double) (b[i] - a[i]);
                norm += a[i] * (double) a[i];
            }
        }
        return Math.sqrt(diff / norm);
    }
}
