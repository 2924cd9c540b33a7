package io.bolmo4j.bolmo.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Higher-compression boundary targets (paper §5.1, docs/bolmo.md §7): per-example BPE-style merges of the subword sequence,
 * applied to the patch lengths until a target bytes-per-patch ratio is reached.
 */
public final class PatchMerges {
    private PatchMerges() {}

    /**
     * The ordered merge list of {@code ids}: repeatedly the most frequent adjacent pair (ties at random) is replaced,
     * left to right and without overlap, by a fresh id; each replacement records its index in the new list.
     */
    public static List<Integer> bpe(int[] ids, Random rng) {
        List<Integer> seq = Arrays.stream(ids).boxed().toList();
        List<Integer> merges = new ArrayList<>();
        int fresh = -1;
        while (seq.size() > 1) {
            Map<Long, Integer> counts = new HashMap<>();
            for (int i = 0; i + 1 < seq.size(); i++) {
                counts.merge(pair(seq.get(i), seq.get(i + 1)), 1, Integer::sum);
            }
            int best = 0;
            List<Long> top = new ArrayList<>();
            for (Map.Entry<Long, Integer> e : counts.entrySet()) {
                if (e.getValue() > best) {
                    best = e.getValue();
                    top.clear();
                }
                if (e.getValue() == best) {
                    top.add(e.getKey());
                }
            }
            top.sort(Long::compare); // a deterministic order before the random tie-break
            long chosen = top.get(rng.nextInt(top.size()));
            List<Integer> next = new ArrayList<>();
            for (int i = 0; i < seq.size(); i++) {
                if (i + 1 < seq.size() && pair(seq.get(i), seq.get(i + 1)) == chosen) {
                    merges.add(next.size());
                    next.add(fresh);
                    i++;
                } else {
                    next.add(seq.get(i));
                }
            }
            fresh--;
            seq = next;
        }
        return merges;
    }

    /**
     * Score-driven merges (docs/bolmo.md §7, "entropy" / "cross_entropy"): repeatedly join the adjacent pair with the largest
     * summed score (the most predictable pair; ties at random), the merged unit carrying the sum; returns the index of
     * each merge in the list at that moment. The last unit takes part only as a right partner.
     *
     * @param scores one score per token, e.g. the teacher's negative entropy or log-probability of the actual token
     */
    public static List<Integer> byScore(double[] scores, Random rng) {
        List<Double> s = new ArrayList<>(Arrays.stream(scores).boxed().toList());
        List<Integer> merges = new ArrayList<>();
        while (s.size() > 1) {
            double best = Double.NEGATIVE_INFINITY;
            List<Integer> top = new ArrayList<>();
            for (int i = 0; i + 1 < s.size(); i++) {
                double v = s.get(i) + s.get(i + 1);
                if (v > best) {
                    best = v;
                    top.clear();
                }
                if (v == best) {
                    top.add(i);
                }
            }
            int i = top.get(rng.nextInt(top.size()));
            s.set(i, s.get(i) + s.get(i + 1));
            s.remove(i + 1);
            merges.add(i);
        }
        return merges;
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) ^ (b & 0xFFFFFFFFL);
    }

    /**
     * Applies merges to patch lengths whose first entry is the BOS patch (so merge index m joins patches m+1 and
     * m+2), stopping as soon as {@code realBytes / patches ≥ ratio}.
     */
    public static List<Integer> apply(List<Integer> patchLengths, List<Integer> merges, double ratio, int realBytes) {
        List<Integer> lens = new ArrayList<>(patchLengths);
        for (int m : merges) {
            if ((double) realBytes / lens.size() >= ratio) {
                break;
            }
            if (m + 2 < lens.size()) {
                lens.set(m + 1, lens.get(m + 1) + lens.get(m + 2));
                lens.remove(m + 2);
            }
        }
        return lens;
    }
}
