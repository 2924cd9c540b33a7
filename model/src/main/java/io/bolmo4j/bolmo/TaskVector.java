package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.olmo.OlmoModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Task arithmetic on a byteified model (paper §5.2, docs/bolmo.md §8): {@code θ += α (θ_instruct − θ_base)} on every tensor the
 * Bolmo and the subword models share by name and shape, i.e. the global layers and {@code model.norm.weight}; the
 * local models, boundary predictor and byte LM head stay as they are.
 */
public final class TaskVector {
    private TaskVector() {}

    /**
     * The tensors that receive the task vector: present in all three models with equal shapes.
     */
    public static List<String> mergedTensors(BolmoModel bolmo, OlmoModel instruct, OlmoModel base) {
        List<String> names = new ArrayList<>();
        Map<String, NDArray> b = bolmo.params().asMap(), in = instruct.params().asMap(), ba = base.params().asMap();
        for (Map.Entry<String, NDArray> e : b.entrySet()) {
            NDArray i = in.get(e.getKey()), s = ba.get(e.getKey());
            if (i != null && s != null && i.getShape().equals(e.getValue().getShape()) && s.getShape().equals(i.getShape())) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /**
     * Adds {@code α (instruct − base)} in place and returns the merged tensor names. Checks that base and instruct share
     * an architecture and that the base is the model this Bolmo was byteified from (same global layer count and width).
     */
    public static List<String> merge(BolmoModel bolmo, OlmoModel instruct, OlmoModel base, double alpha) {
        io.bolmo4j.engine.Backend.noGrad();
        if (!(Double.isFinite(alpha))) {
            throw new IllegalArgumentException("alpha must be finite, got " + alpha);
        }
        var bc = base.config();
        var ic = instruct.config();
        if (bc.hiddenSize != ic.hiddenSize || bc.numHiddenLayers != ic.numHiddenLayers
                || bc.intermediateSize != ic.intermediateSize || bc.numKeyValueHeads != ic.numKeyValueHeads) {
            throw new IllegalArgumentException("instruct model " + ic + " does not share the base's architecture " + bc);
        }
        var g = bolmo.config().global;
        if (g.hiddenSize != bc.hiddenSize || g.numHiddenLayers != bc.numHiddenLayers || g.intermediateSize != bc.intermediateSize) {
            throw new IllegalArgumentException("the base " + bc + " is not the model this Bolmo was byteified from (global model "
                    + g + ")");
        }
        List<String> names = mergedTensors(bolmo, instruct, base);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no tensor is shared by name and shape: nothing to merge");
        }
        for (String n : names) {
            try (NDScope ignored = new NDScope()) {
                NDArray delta = instruct.params().get(n).sub(base.params().get(n)).mul((float) alpha);
                bolmo.params().get(n).addi(delta.toDevice(bolmo.params().get(n).getDevice(), false));
            }
        }
        return names;
    }

    /**
     * How far apart two models' global layers are relative to the base (‖instruct − base‖ / ‖base‖ over the merged
     * tensors): small values mean a light post-training whose task vector should transfer.
     */
    public static double relativeDistance(OlmoModel instruct, OlmoModel base) {
        double diff = 0, norm = 0;
        for (Map.Entry<String, NDArray> e : base.params().asMap().entrySet()) {
            if (!e.getKey().startsWith("model.layers.")) {
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
