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
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        int[] byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        for (int b = 0; b < ALPHABET; b++) {
            byteToId[b] = b;
        }
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
            BytePairEncoder bpe = new BytePairEncoder(byteToId, mt);
            for (int sample = 0; sample < 200; sample++) {
                byte[] bytes = new byte[sample == 0 ? 1000 : rnd.nextInt(30)];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) rnd.nextInt(ALPHABET);
                }
                assertArrayEquals(naive(bytes, merges), bpe.encode(bytes, bytes.length));
            }
        }
    }

    @Test
    void repeatedPairMergesLeftToRight() {
        MergeTable mt = new MergeTable(2);
        mt.put(0, 0, 0, 1); // "aa"
        int[] byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        byteToId['a'] = 0;
        assertArrayEquals(new int[] {1, 1, 0}, new BytePairEncoder(byteToId, mt).encode("aaaaa".getBytes(), 5));
        assertEquals(false, mt.put(0, 0, 5, 1), "a repeated pair keeps its first rank");
    }

    @Test
    void missingByteTokenIsAClearError() {
        int[] byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> new BytePairEncoder(byteToId, new MergeTable(1)).encode(new byte[] {0x41}, 1));
        assertTrue(e.getMessage().contains("0x41"), e.getMessage());
    }
}
