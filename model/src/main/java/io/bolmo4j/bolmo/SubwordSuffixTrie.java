package io.bolmo4j.bolmo;

import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.DocumentTokens;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The subword-suffix ("expanded") ids of docs/bolmo.md §2.3: for byte position i, the id of the longest teacher-vocabulary
 * entry whose bytes are a suffix of bytes[0..i]. A trie over the reversed byte strings, stored as flat arrays
 * (children in open addressing keyed by node·520 + symbol).
 */
public final class SubwordSuffixTrie {
    private static final int NONE = -1;
    private int[] keys;      // node * 520 + symbol, or NONE
    private int[] values;    // child node
    private int[] tokenAt;   // per node: token id ending here, or NONE
    private int nodes = 1;
    private int size;

    private SubwordSuffixTrie(int capacityHint) {
        int cap = Integer.highestOneBit(Math.max(16, capacityHint * 2)) * 2;
        keys = new int[cap];
        values = new int[cap];
        Arrays.fill(keys, NONE);
        tokenAt = new int[Math.max(16, capacityHint)];
        Arrays.fill(tokenAt, NONE);
    }

    /**
     * Builds the trie from a teacher tokenizer: its BOS and end-of-text ids ({@link BpeTokenizer#documentTokens()}, e.g.
     * {@code <|endoftext|>}, or Llama 3's {@code <|begin_of_text|>} and {@code <|end_of_text|>}) map to byte id 1, the
     * BOS winning when they differ (the byte BOS starts every text, as the teacher's BOS does); its pad id maps to 0;
     * other specials to their literal bytes; later entries win other collisions (dictionary order, as the reference).
     */
    public static SubwordSuffixTrie of(BpeTokenizer tokenizer) {
        int n = tokenizer.vocabSize();
        SubwordSuffixTrie t = new SubwordSuffixTrie(n * 4);
        DocumentTokens doc = tokenizer.documentTokens();
        int bos = doc.bos().orElse(-1), eot = doc.endOfText().orElse(-1), pad = doc.pad().orElse(-1);
        for (int id = 0; id < n; id++) {
            if (!tokenizer.isValidId(id)) {
                continue;
            }
            int[] seq;
            if (id == bos || id == eot) {
                seq = new int[] {ByteTokenizer.BOS};
            } else if (id == pad) {
                seq = new int[] {ByteTokenizer.PAD};
            } else {
                byte[] b = tokenizer.tokenBytes(id);
                seq = new int[b.length];
                for (int i = 0; i < b.length; i++) {
                    seq[i] = ByteTokenizer.OFFSET + (b[i] & 0xFF);
                }
            }
            if (seq.length == 0) {
                continue;
            }
            int node = 0;
            for (int i = seq.length - 1; i >= 0; i--) {
                node = t.childOrAdd(node, seq[i]);
            }
            t.tokenAt[node] = id;
        }
        if (bos >= 0) {
            t.tokenAt[t.childOrAdd(0, ByteTokenizer.BOS)] = bos;
        }
        for (int b = 0; b < 256; b++) {
            int child = t.child(0, ByteTokenizer.OFFSET + b);
            if (child == NONE || t.tokenAt[child] == NONE) {
                throw new IllegalArgumentException("teacher vocabulary lacks the single byte " + b
                        + ": not a byte-level BPE, every byte must be a token");
            }
        }
        return t;
    }

    /** Bytes the trie's arrays take (its whole memory, less object headers). */
    public long memoryBytes() {
        return 4L * (keys.length + values.length + tokenAt.length);
    }

    /** Expanded ids for every position of a byte-id sequence (plain or fused ids; {@code <bpe_token_end>} skipped). */
    public int[] expand(int[] byteIds) {
        return IntStream.range(0, byteIds.length).map(i -> expandAt(byteIds, i)).toArray();
    }

    /** The expanded id of position {@code i}, looking back over {@code byteIds[0..i]}. */
    public int expandAt(int[] byteIds, int i) {
        int node = 0, best = NONE;
        for (int j = i; j >= 0; j--) {
            int b = byteIds[j];
            if (b == ByteTokenizer.BPE_TOKEN_END) {
                continue;
            }
            node = child(node, ByteTokenizer.plain(b));
            if (node == NONE) {
                break;
            }
            if (tokenAt[node] != NONE) {
                best = tokenAt[node];
            }
        }
        if (best == NONE) {
            throw new IllegalArgumentException("no vocabulary entry ends at byte id " + byteIds[i]
                    + " (specials 2 and 3 have no subword)");
        }
        return best;
    }

    private int slot(int key) {
        int mask = keys.length - 1;
        int h = (key * 0x9E3779B1) >>> 7 & mask;
        while (keys[h] != NONE && keys[h] != key) {
            h = (h + 1) & mask;
        }
        return h;
    }

    private int child(int node, int symbol) {
        int s = slot(node * ByteTokenizer.VOCAB + symbol);
        return keys[s] == NONE ? NONE : values[s];
    }

    private int childOrAdd(int node, int symbol) {
        int key = node * ByteTokenizer.VOCAB + symbol;
        int s = slot(key);
        if (keys[s] != NONE) {
            return values[s];
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
            s = slot(key);
        }
        keys[s] = key;
        values[s] = nodes;
        size++;
        if (nodes >= tokenAt.length) {
            int old = tokenAt.length;
            tokenAt = Arrays.copyOf(tokenAt, old * 2);
            Arrays.fill(tokenAt, old, tokenAt.length, NONE);
        }
        return nodes++;
    }

    private void grow() {
        int[] k = keys, v = values;
        keys = new int[k.length * 2];
        values = new int[k.length * 2];
        Arrays.fill(keys, NONE);
        for (int i = 0; i < k.length; i++) {
            if (k[i] != NONE) {
                int s = slot(k[i]);
                keys[s] = k[i];
                values[s] = v[i];
            }
        }
    }
}
