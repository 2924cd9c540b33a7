package io.bolmo4j.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing map from a token-id pair to (merge rank, merged id), both packed into longs so the BPE inner
 * loop neither boxes nor hashes objects.
 */
final class MergeTable {
    /** Returned by {@link #get} when the pair has no merge. */
    static final long NONE = -1L;
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /**
     * Adds a merge; the first merge of a pair wins, as in Hugging Face (a repeated pair is ignored).
     *
     * @return false if the pair was already present
     */
    boolean put(int left, int right, int rank, int mergedId) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("merge table over capacity");
        }
        long k = key(left, right);
        for (int i = slot(k); ; i = (i + 1) & mask) {
            if (keys[i] == EMPTY) {
                keys[i] = k;
                values[i] = ((long) rank << 32) | (mergedId & 0xFFFFFFFFL);
                size++;
                return true;
            }
            if (keys[i] == k) {
                return false;
            }
        }
    }

    /** @return {@code rank << 32 | mergedId}, or {@link #NONE} */
    long get(int left, int right) {
        long k = key(left, right);
        for (int i = slot(k); ; i = (i + 1) & mask) {
            long stored = keys[i];
            if (stored == k) {
                return values[i];
            }
            if (stored == EMPTY) {
                return NONE;
            }
        }
    }

    static int rank(long entry) {
        return (int) (entry >>> 32);
    }

    static int mergedId(long entry) {
        return (int) entry;
    }
}
