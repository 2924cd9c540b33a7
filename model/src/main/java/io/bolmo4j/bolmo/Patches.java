package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bolmo4j.engine.Ops;

/**
 * Patch bookkeeping for a batch of byte sequences of equal length L, from boundary flags ("byte t ends its patch",
 * docs/bolmo.md §3.4-3.6). Rows may hold different numbers of patches; pooled tensors are right-padded to the longest row,
 * which is harmless for the causal global model (padding comes after every real patch) and masked in losses.
 * Indices are computed in Java: boundaries are data, not part of the autograd graph.
 */
public final class Patches {
    private final int batch;
    private final int length;
    private final int maxPatches;
    private final int[] counts;
    /** Flat gather index {@code b·L + t} of each patch's last byte, {@code [B·maxPatches]} (padding repeats the last). */
    private final long[] endIndex;
    /** Flat gather index {@code b·maxPatches + k_t} of the patch each byte sees, {@code [B·L]}. */
    private final long[] depoolIndex;
    private final boolean[][] boundaries;

    private Patches(boolean[][] boundaries) {
        this.boundaries = boundaries;
        batch = boundaries.length;
        length = boundaries[0].length;
        counts = new int[batch];
        int max = 1;
        for (int b = 0; b < batch; b++) {
            if (boundaries[b].length != length) {
                throw new IllegalArgumentException("rows must have equal length");
            }
            for (boolean x : boundaries[b]) {
                counts[b] += x ? 1 : 0;
            }
            max = Math.max(max, counts[b]);
        }
        maxPatches = max;
        endIndex = new long[batch * maxPatches];
        depoolIndex = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            int p = 0;
            int last = 0;
            for (int t = 0; t < length; t++) {
                if (boundaries[b][t]) {
                    endIndex[b * maxPatches + p] = (long) b * length + t;
                    last = t;
                    p++;
                }
                // k_t = clamp(#boundaries at positions ≤ t − 1, 0, P−1): the latest patch whose last byte is ≤ t
                int k = Math.max(0, Math.min(p - 1, maxPatches - 1));
                depoolIndex[b * length + t] = (long) b * maxPatches + k;
            }
            for (; p < maxPatches; p++) {
                endIndex[b * maxPatches + p] = (long) b * length + last;
            }
        }
    }

    /** Bookkeeping for {@code boundaries[b][t]}. */
    public static Patches of(boolean[][] boundaries) {
        if (boundaries.length == 0 || boundaries[0].length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        return new Patches(boundaries);
    }

    /** Longest row's number of patches (the pooled width). */
    public int maxPatches() {
        return maxPatches;
    }

    /** Patches in row {@code b}. */
    public int count(int b) {
        return counts[b];
    }

    public boolean isBoundary(int b, int t) {
        return boundaries[b][t];
    }

    /** Pooling (docs/bolmo.md §3.5): the state at each patch's last byte, {@code [B, L, d] → [B, P, d]}. */
    public NDArray pool(NDArray h) {
        long d = h.getShape().get(2);
        return h.reshape(-1, d).get(Ops.longs(h.getManager(), endIndex, endIndex.length)).reshape(batch, maxPatches, d);
    }

    /** Depooling (docs/bolmo.md §3.6): each byte gets the global output of patch k_t, {@code [B, P, d] → [B, L, d]}. */
    public NDArray depool(NDArray g) {
        long d = g.getShape().get(2);
        return g.reshape(-1, d).get(Ops.longs(g.getManager(), depoolIndex, depoolIndex.length)).reshape(batch, length, d);
    }

    /** {@code [B, P]} float mask: 1 for real patches, 0 for right padding. */
    public NDArray patchMask(NDManager m) {
        float[] mask = new float[batch * maxPatches];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < counts[b]; p++) {
                mask[b * maxPatches + p] = 1f;
            }
        }
        return Ops.floats(m, mask, batch, maxPatches);
    }
}
