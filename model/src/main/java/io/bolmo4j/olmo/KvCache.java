package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;

/**
 * Keys and values of every layer seen so far, {@code [B, kvHeads, length, headDim]} per layer, owned by the cache's
 * own manager (so they outlive the per-step {@code NDScope}s). Close the cache to free them.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager = Backend.newManager();
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Number of positions cached. */
    public int length() {
        return length;
    }

    /** Appends this step's keys/values of {@code layer} and returns the full ones (kept by the cache). */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray fullV = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        NDScope.unregister(fullK, fullV);
        fullK.attach(manager);
        fullV.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = fullK;
        values[layer] = fullV;
        return new NDArray[] {fullK, fullV};
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
