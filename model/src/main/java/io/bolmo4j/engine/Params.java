package io.bolmo4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A model's parameters by Hugging Face tensor name (e.g. {@code model.layers.0.mlp.up_proj.weight}), all owned by
 * one long-lived manager created outside any {@code NDScope}. Layers look their tensors up by name, so a checkpoint
 * file, a random initialisation and a training run all share one naming.
 */
public final class Params implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    public Params(NDManager manager) {
        this.manager = manager;
    }

    /** A fresh parameter set on {@link Backend#device()}. */
    public static Params create() {
        return new Params(Backend.newManager());
    }

    public NDManager manager() {
        return manager;
    }

    /** Adds or replaces a tensor made from Java data (copied). */
    public NDArray put(String name, float[] data, long... shape) {
        NDArray a = Ops.floats(manager, data, shape);
        ai.djl.ndarray.NDScope.unregister(a);
        return replace(name, a);
    }

    /**
     * Adds or replaces a tensor with a copy of {@code source} (any device or manager). On the same device this is an
     * explicit clone: PyTorch's {@code to(device)} would return the same storage, and the two models would alias.
     */
    public NDArray putCopy(String name, NDArray source) {
        NDArray a = source.getDevice().equals(manager.getDevice()) ? source.duplicate()
                : source.toDevice(manager.getDevice(), true);
        a.attach(manager);
        ai.djl.ndarray.NDScope.unregister(a);
        return replace(name, a);
    }

    private NDArray replace(String name, NDArray a) {
        a.setName(name);
        NDArray old = tensors.put(name, a);
        if (old != null) {
            old.close();
        }
        return a;
    }

    /** Adds {@code N(0, std²)} values. */
    public NDArray putNormal(String name, Random rng, double std, long... shape) {
        float[] d = new float[Math.toIntExact(new Shape(shape).size())];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextGaussian() * std);
        }
        return put(name, d, shape);
    }

    /** Adds a tensor filled with one value. */
    public NDArray putConstant(String name, float value, long... shape) {
        float[] d = new float[Math.toIntExact(new Shape(shape).size())];
        Arrays.fill(d, value);
        return put(name, d, shape);
    }

    /** The tensor called {@code name}; a clear error when it is missing or shaped otherwise. */
    public NDArray get(String name, long... expectedShape) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing parameter '" + name + "'");
        }
        if (expectedShape.length > 0 && !a.getShape().equals(new Shape(expectedShape))) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + a.getShape()
                    + ", expected " + new Shape(expectedShape));
        }
        return a;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Read-only view in insertion order. */
    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Total number of scalars. */
    public long count() {
        return tensors.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Override
    public void close() {
        manager.close();
    }
}
