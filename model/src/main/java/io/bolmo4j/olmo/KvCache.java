package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Backend;

/**
 * Keys and values of every layer seen so far, {@code [B, kvHeads, capacity, headDim]} per layer, preallocated and
 * written in place (a decoding step copies only its own keys and values), owned by the cache's own manager so they
 * outlive the per-step {@code NDScope}s. A step past the capacity doubles it. Close the cache to free them.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager = Backend.newManager();
    private final NDArray[] keys;
    private final NDArray[] values;
    private int capacity;
    private int length;

    /** Positions allocated at first at most: a long generation that may stop early grows the cache instead. */
    private static final int INITIAL_LIMIT = 1024;

    /** A cache for {@code layers} layers, allocated for {@code positions} (at most 1024 at first) and grown by doubling. */
    public KvCache(int layers, int positions) {
        if (positions < 1) {
            throw new IllegalArgumentException("KV cache positions must be >= 1, got " + positions);
        }
        keys = new NDArray[layers];
        values = new NDArray[layers];
        this.capacity = Math.min(positions, INITIAL_LIMIT);
    }

    /** Number of positions cached. */
    public int length() {
        return length;
    }

    /**
     * Writes this step's keys/values {@code [B, kvHeads, T, headDim]} of {@code layer} after the {@link #length()}
     * cached positions and returns views of the keys and values of positions {@code [from, length + T)}.
     */
    NDArray[] append(int layer, NDArray k, NDArray v, int from) {
        int t = (int) k.getShape().get(2);
        int end = length + t;
        if (keys[layer] == null || end > capacity) {
            grow(layer, k, Math.max(end, keys[layer] == null ? capacity : 2 * capacity));
        }
        NDIndex at = new NDIndex().addAllDim(2).addSliceDim(length, end);
        keys[layer].set(at, k);
        values[layer].set(at, v);
        NDIndex seen = new NDIndex().addAllDim(2).addSliceDim(from, end);
        return new NDArray[] {keys[layer].get(seen), values[layer].get(seen)};
    }

    /** Allocates room for {@code size} positions in every layer that has one, keeping what is cached. */
    private void grow(int layer, NDArray like, int size) {
        if (size != capacity) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != null) {
                    keys[i] = resized(keys[i], size);
                    values[i] = resized(values[i], size);
                }
            }
            capacity = size;
        }
        if (keys[layer] == null) {
            Shape s = like.getShape();
            Shape full = new Shape(s.get(0), s.get(1), capacity, s.get(3));
            keys[layer] = owned(manager.zeros(full, like.getDataType()));
            values[layer] = owned(manager.zeros(full, like.getDataType()));
        }
    }

    private NDArray resized(NDArray a, int size) {
        Shape s = a.getShape();
        NDArray b = owned(manager.zeros(new Shape(s.get(0), s.get(1), size, s.get(3)), a.getDataType()));
        NDIndex kept = new NDIndex().addAllDim(2).addSliceDim(0, length);
        try (NDArray old = a; NDArray part = old.get(kept)) {
            b.set(kept, part);
        }
        return b;
    }

    private static NDArray owned(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    /** Marks {@code steps} new positions as cached once every layer has appended them. */
    void advance(int steps) {
        length += steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
