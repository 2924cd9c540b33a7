package io.bolmo4j.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Autograd-safe tensor building blocks shared by every model.
 *
 * <p>DJL wraps a Java {@code Number} passed to {@code mul/div/pow/...} in a tensor that aliases a buffer freed at
 * once; autograd later reads freed memory (see docs/djl-notes). Every scalar here is therefore a long-lived native
 * tensor from {@link #scalar}. Arrays made from Java memory are duplicated so no graph keeps an alias.
 */
public final class Ops {
    private static final Map<Device, NDManager> CONSTANT_MANAGERS = new ConcurrentHashMap<>();
    private static final Map<Device, Map<Float, NDArray>> SCALARS = new ConcurrentHashMap<>();

    private Ops() {}

    /** A cached float32 scalar tensor on {@code like}'s device; safe to use as an operand of any op. */
    public static NDArray scalar(NDArray like, float value) {
        Device device = like.getDevice();
        return SCALARS.computeIfAbsent(device, d -> new ConcurrentHashMap<>())
                .computeIfAbsent(value, v -> {
                    NDManager m = CONSTANT_MANAGERS.computeIfAbsent(device, d -> Backend.root().newSubManager(d));
                    NDArray s = m.full(new Shape(), v, DataType.FLOAT32);
                    NDScope.unregister(s);
                    return s;
                });
    }

    /** A float32 tensor that owns a copy of {@code data}. */
    public static NDArray floats(NDManager manager, float[] data, long... shape) {
        try (NDArray alias = manager.create(data, new Shape(shape))) {
            return alias.duplicate();
        }
    }

    /** An int64 tensor that owns a copy of {@code data}. */
    public static NDArray longs(NDManager manager, long[] data, long... shape) {
        try (NDArray alias = manager.create(data, new Shape(shape))) {
            return alias.duplicate();
        }
    }

    /** An int64 tensor from int ids. */
    public static NDArray ids(NDManager manager, int[] data, long... shape) {
        return longs(manager, Arrays.stream(data).asLongStream().toArray(), shape);
    }

    /**
     * {@code x · Wᵀ} for a PyTorch-layout weight {@code [out, in]}, in fp32. A 2-byte weight (see {@link WeightType})
     * is widened for this one use, {@value #WIDEN_CHUNK} elements at a time, and the widened copies freed at once.
     */
    public static NDArray linear(NDArray x, NDArray weight) {
        if (weight.getDataType() == DataType.FLOAT32) {
            return product(x, weight);
        }
        long rows = weight.getShape().get(0), per = Math.max(1, WIDEN_CHUNK / weight.getShape().get(1));
        if (rows <= per) {
            return widenedProduct(x, weight);
        }
        NDList parts = new NDList();
        try {
            for (long r = 0; r < rows; r += per) {
                try (NDArray slice = weight.get(new NDIndex().addSliceDim(r, Math.min(rows, r + per)))) {
                    parts.add(widenedProduct(x, slice));
                }
            }
            return NDArrays.concat(parts, -1);
        } finally {
            parts.close();
        }
    }

    /**
     * Elements of a 2-byte weight widened at once: 1M, a 4 MB transient that the product reads while it is still in
     * cache, so decoding streams 2 bytes per weight from memory. Measured on a 1B model (2 cores, one engine thread,
     * per token): 8M chunks 2.5 s of CPU, 64K 0.58 s, 512K to 2M 0.30 s.
     */
    private static final long WIDEN_CHUNK = 1L << 20;

    private static NDArray widenedProduct(NDArray x, NDArray weight) {
        try (NDArray w = weight.toType(DataType.FLOAT32, false)) {
            return product(x, w);
        }
    }

    /** PyTorch's {@code linear} without bias: {@code matmul(x, w.t())} in one engine call. */
    private static NDArray product(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }

    /** {@code x · Wᵀ + b}. */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return linear(x, weight).add(bias);
    }

    /** RMSNorm over the last axis: {@code x · rsqrt(mean(x²) + eps) · w}, in the input's (fp32) precision. */
    public static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(scalar(x, eps)).sqrt()).mul(weight);
    }

    /** LayerNorm over the last axis without affine parameters (mean-centred, biased variance). */
    public static NDArray layerNorm(NDArray x, float eps) {
        NDArray centred = x.sub(x.mean(new int[] {-1}, true));
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add(scalar(x, eps)).sqrt());
    }

    public static NDArray sigmoid(NDArray x) {
        return x.getNDArrayInternal().sigmoid();
    }

    /** {@code x · sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(sigmoid(x));
    }

    /** {@code log σ(x) = −softplus(−x)}, stable for large |x|. */
    public static NDArray logSigmoid(NDArray x) {
        return x.neg().getNDArrayInternal().softPlus().neg();
    }

    /** {@code cap · tanh(x / cap)}. */
    public static NDArray softCap(NDArray x, float cap) {
        return x.mul(scalar(x, 1f / cap)).tanh().mul(scalar(x, cap));
    }

    /** SwiGLU feed-forward: {@code down(silu(gate(x)) ⊙ up(x))}. */
    public static NDArray swiGlu(NDArray x, NDArray gate, NDArray up, NDArray down) {
        return linear(silu(linear(x, gate)).mul(linear(x, up)), down);
    }

    /** SwiGLU with the gate and up projections stacked by rows in {@code gateUp [2·ffn, in]} (one product). */
    public static NDArray swiGluFused(NDArray x, NDArray gateUp, NDArray down) {
        NDList gu = linear(x, gateUp).split(2, x.getShape().dimension() - 1);
        return linear(silu(gu.get(0)).mul(gu.get(1)), down);
    }

    /** Copies a tensor to a Java float array (any float dtype). */
    public static float[] toFloats(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x.toFloatArray() : x.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
