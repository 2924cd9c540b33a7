package io.bolmo4j.tokenizer;

import java.util.Arrays;

/**
 * The BPE merge loop of one word: starting from its initial symbols, repeatedly apply the lowest-rank merge,
 * leftmost first (Hugging Face's order). A min-heap of packed {@code rank << 32 | position} longs keeps this
 * O(n log n), so even a megabyte-long pre-token is fine.
 */
final class BytePairEncoder {
    private final MergeTable merges;

    BytePairEncoder(MergeTable merges) {
        this.merges = merges;
    }

    /**
     * Merges the symbols {@code id[0, n)} in place; {@code len} holds each symbol's length and is summed along.
     *
     * @return the number of symbols left, compacted to the front of both arrays
     */
    int merge(int[] id, int[] len, int n) {
        if (n < 2) {
            return n;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] dead = new boolean[n];
        Heap heap = new Heap(3 * n);
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
            if (i + 1 < n) {
                push(heap, id[i], id[i + 1], i);
            }
        }
        int count = n;
        while (heap.size > 0) {
            long top = heap.pop();
            int pos = (int) top;
            int right = next[pos];
            if (dead[pos] || right >= n) {
                continue;
            }
            long merge = merges.get(id[pos], id[right]);
            // A stale entry: the pair at pos changed since it was pushed (equal rank means the same pair).
            if (merge == MergeTable.NONE || MergeTable.rank(merge) != (int) (top >>> 32)) {
                continue;
            }
            id[pos] = MergeTable.mergedId(merge);
            len[pos] += len[right];
            dead[right] = true;
            next[pos] = next[right];
            if (next[pos] < n) {
                prev[next[pos]] = pos;
                push(heap, id[pos], id[next[pos]], pos);
            }
            if (prev[pos] >= 0) {
                push(heap, id[prev[pos]], id[pos], prev[pos]);
            }
            count--;
        }
        for (int i = 0, k = 0; i < n; i = next[i], k++) {
            id[k] = id[i];
            len[k] = len[i];
        }
        return count;
    }

    private void push(Heap heap, int left, int right, int pos) {
        long merge = merges.get(left, right);
        if (merge != MergeTable.NONE) {
            heap.push(((long) MergeTable.rank(merge) << 32) | pos);
        }
    }

    /** Binary min-heap of longs. */
    private static final class Heap {
        private long[] a;
        private int size;

        Heap(int capacity) {
            a = new long[capacity];
        }

        void push(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) {
                    break;
                }
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && a[child + 1] < a[child]) {
                    child++;
                }
                if (a[child] >= last) {
                    break;
                }
                a[i] = a[child];
                i = child;
            }
            a[i] = last;
            return top;
        }
    }
}
