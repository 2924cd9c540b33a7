package io.bolmo4j.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap-based merge loop against the textbook quadratic one, on random merge tables and inputs. */
class BytePairEncoderTest {
    private static final int ALPHABET = 4;

    /** Textbook BPE: merge the lowest-rank adjacent pair, leftmost first, until none applies. */
    private static int[] naive(byte[] bytes, Map<Long, int[]> merges) {
        List<Integer> ids = new ArrayList<>();
        for (byte b : bytes) {
            ids.add((int) b);
        }
        while (true) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < ids.size(); i++) {
                int[] m = merges.get(((long) ids.get(i) << 32) | ids.get(i + 1));
                if (m != null && m[0] < bestRank) {
                    bestRank = m[0];
                    best = i;
                }
            }
            if (best < 0) {
                return ids.stream().mapToInt(Integer::intValue).toArray();
            }
            ids.set(best, merges.get(((long) ids.get(best) << 32) | ids.get(best + 1))[1]);
            ids.remove(best + 1);
        }
    }

    @Test
    void matchesTextbookBpe() {
        Random rnd = new Random(1);
        for (int table = 0; table < 50; table++) {
            Map<Long, int[]> merges = new HashMap<>();
            MergeTable mt = new MergeTable(40);
            int nextId = ALPHABET;
            for (int rank = 0; rank < 40; rank++) {
                int a = rnd.nextInt(nextId);
                int b = rnd.nextInt(nextId);
                if (merges.putIfAbsent(((long) a << 32) | b, new int[] {rank, nextId}) == null) {
                    assertTrue(mt.put(a, b, rank, nextId));
                    nextId++;
                }
            }
            BytePairEncoder bpe = new BytePairEncoder(mt);
            for (int sample = 0; sample < 200; sample++) {
                byte[] bytes = new byte[sample == 0 ? 1000 : rnd.nextInt(30)];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) rnd.nextInt(ALPHABET);
                }
                assertArrayEquals(naive(bytes, merges), merge(bpe, bytes));
            }
        }
    }

    @Test
    void repeatedPairMergesLeftToRight() {
        MergeTable mt = new MergeTable(2);
        mt.put(0, 0, 0, 1); // "aa"
        int[] ids = {0, 0, 0, 0, 0};
        int[] lens = {1, 1, 1, 1, 1};
        int n = new BytePairEncoder(mt).merge(ids, lens, 5);
        assertArrayEquals(new int[] {1, 1, 0}, Arrays.copyOf(ids, n));
        assertArrayEquals(new int[] {2, 2, 1}, Arrays.copyOf(lens, n), "lengths are summed along the merges");
        assertEquals(false, mt.put(0, 0, 5, 1), "a repeated pair keeps its first rank");
    }

    /** Symbols are the bytes themselves here (ids 0..3), each one byte long. */
    private static int[] merge(BytePairEncoder bpe, byte[] bytes) {
        int[] ids = new int[bytes.length];
        int[] lens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i];
            lens[i] = 1;
        }
        int n = bpe.merge(ids, lens, ids.length);
        assertEquals(bytes.length, Arrays.stream(lens, 0, n).sum());
        return Arrays.copyOf(ids, n);
    }
}
