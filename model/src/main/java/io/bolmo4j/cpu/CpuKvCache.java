package io.bolmo4j.cpu;

import java.util.Arrays;

/**
 * Keys and values of every layer of the Java engine's transformer seen so far, {@code [positions, kvHeads · headDim]}
 * per layer in fp32 (rotated keys, as attention reads them). Allocated for the positions a generation asks for (at
 * most 1024 at first) and doubled when a step goes past them.
 */
public final class CpuKvCache {
    /** Positions allocated at first at most: a long generation that may stop early grows the cache instead. */
    private static final int INITIAL_LIMIT = 1024;

    private final float[][] keys;
    private final float[][] values;
    private final int width;
    private int capacity;
    private int length;

    CpuKvCache(int layers, int width, int positions) {
        if (positions < 1) {
            throw new IllegalArgumentException("KV cache positions must be >= 1, got " + positions);
        }
        this.keys = new float[layers][];
        this.values = new float[layers][];
        this.width = width;
        this.capacity = Math.min(positions, INITIAL_LIMIT);
    }

    /** Number of positions cached. */
    public int length() {
        return length;
    }

    /** Makes room for {@code t} positions after the cached ones. */
    void reserve(int t) {
        int need = length + t;
        if (keys[0] != null && need <= capacity) {
            return;
        }
        capacity = keys[0] == null ? Math.max(capacity, need) : Math.max(need, 2 * capacity);
        for (int l = 0; l < keys.length; l++) {
            keys[l] = keys[l] == null ? new float[capacity * width] : Arrays.copyOf(keys[l], capacity * width);
            values[l] = values[l] == null ? new float[capacity * width] : Arrays.copyOf(values[l], capacity * width);
        }
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Marks {@code t} new positions as cached once every layer has written them. */
    void advance(int t) {
        length += t;
    }
}
