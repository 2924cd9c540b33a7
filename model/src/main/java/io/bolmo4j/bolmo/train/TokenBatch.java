package io.bolmo4j.bolmo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Examples of whole teacher tokens, the batch both stages train on (docs/bolmo.md §2.2, §6.2): the bytes of the tokens
 * after a BOS, padded to a fixed length, with the subword boundaries as patch ends; the teacher sees
 * {@code [bos] ++ tokens} (its BOS id, OLMo's end-of-text), so teacher position j lines up with student patch j. The
 * masks the losses need are built here, with the batch.
 */
public final class TokenBatch {
    public final int batch;
    public final int length;
    public final int patches;
    public final int[][] bytes;       // [B][L], PAD after the real bytes
    public final int[][] subwords;    // [B][L] expanded ids
    public final boolean[][] ends;    // [B][L] subword patch ends (the boundary targets y)
    public final int[][] labels;      // [B][L] fused next-byte labels, -1 where none
    public final int[][] teacherIds;  // [B][P] [bos, t_0, ..., t_{m-1}], padded with bos
    public final int[][] targets;     // [B][P] t_j predicted at teacher position j, -1 where none
    public final int[] realBytes;     // per row
    public final int[] tokens;        // m per row
    public final int[][] tokenRows;   // the teacher tokens of each row

    private TokenBatch(List<int[]> rows, BpeTokenizer tok, SubwordSuffixTrie trie, int length) {
        batch = rows.size();
        this.length = length;
        int maxTokens = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        patches = maxTokens + 1;
        bytes = new int[batch][length];
        subwords = new int[batch][length];
        ends = new boolean[batch][length];
        labels = new int[batch][length];
        teacherIds = new int[batch][patches];
        targets = new int[batch][patches];
        realBytes = new int[batch];
        tokens = new int[batch];
        tokenRows = rows.toArray(new int[0][]);
        for (int b = 0; b < batch; b++) {
            int[] t = rows.get(b);
            tokens[b] = t.length;
            int pos = 0;
            bytes[b][pos] = ByteTokenizer.BOS;
            ends[b][pos++] = true;
            for (int id : t) {
                for (byte x : tok.tokenBytes(id)) {
                    bytes[b][pos++] = ByteTokenizer.OFFSET + (x & 0xFF);
                }
                ends[b][pos - 1] = true;
            }
            realBytes[b] = pos;
            int[] exp = trie.expand(Arrays.copyOf(bytes[b], pos));
            System.arraycopy(exp, 0, subwords[b], 0, pos);
            Arrays.fill(labels[b], -1);
            for (int i = 0; i + 1 < pos; i++) {
                labels[b][i] = bytes[b][i + 1] + (ends[b][i + 1] ? ByteTokenizer.FUSED : 0);
            }
            Arrays.fill(teacherIds[b], tok.bosId());
            Arrays.fill(targets[b], -1);
            for (int j = 0; j < t.length; j++) {
                teacherIds[b][j + 1] = t[j];
                targets[b][j] = t[j];
            }
        }
    }

    /** Cuts documents into examples of whole tokens whose bytes (plus BOS) fit in {@code length}. */
    public static List<int[]> examples(Iterable<String> texts, BpeTokenizer tok, int length) {
        List<int[]> out = new ArrayList<>();
        for (String text : texts) {
            int[] ids = tok.encodeIds(text);
            int start = 0;
            while (start < ids.length) {
                int used = 1, end = start;
                while (end < ids.length && used + tok.tokenBytes(ids[end]).length <= length) {
                    used += tok.tokenBytes(ids[end]).length;
                    end++;
                }
                if (end == start) {
                    start++; // a single token longer than the window: skip it
                    continue;
                }
                if (end - start >= 2) {
                    out.add(Arrays.copyOfRange(ids, start, end));
                }
                start = end;
            }
        }
        return out;
    }

    public static TokenBatch of(List<int[]> rows, BpeTokenizer tok, SubwordSuffixTrie trie, int length) {
        return new TokenBatch(rows, tok, trie, length);
    }

    /** The byte ids {@code [B, L]}. */
    NDArray byteIds(NDManager m) {
        return Ops.ids(m, flat(bytes), batch, length);
    }

    /** The subword-suffix ids {@code [B, L]}. */
    NDArray subwordIds(NDManager m) {
        return Ops.ids(m, flat(subwords), batch, length);
    }

    /** 1 where a byte has a next byte to predict, {@code [B, L]}. */
    NDArray byteMask(NDManager m) {
        return mask(m, length, (r, t) -> t + 1 < realBytes[r]);
    }

    /** 1 where a boundary decision has its lookahead byte, {@code [B, L]}: the last lookahead positions are excluded (docs/bolmo.md §6.2). */
    NDArray boundaryMask(NDManager m, int lookahead) {
        return mask(m, length, (r, t) -> t + 1 + lookahead < realBytes[r]);
    }

    /** {@code y}: 1 where a byte ends its patch, {@code [B, L]}. */
    NDArray boundaryTargets(NDManager m, boolean[][] ends) {
        return mask(m, length, (r, t) -> ends[r][t]);
    }

    /** 1 for the BOS patch and each token's patch, {@code [B, P]} (the encoder loss). */
    NDArray patchMask(NDManager m) {
        return mask(m, patches, (r, j) -> j <= tokens[r]);
    }

    /** 1 for the patches followed by a token, {@code [B, P]} (the distillation). */
    NDArray distillMask(NDManager m) {
        return mask(m, patches, (r, j) -> j < tokens[r]);
    }

    /** The teacher's input ids {@code [B, P]}. */
    NDArray teacherIds(NDManager m) {
        return Ops.ids(m, flat(teacherIds), batch, patches);
    }

    /** The token each teacher position predicts, {@code [B, P, 1]} (id 0 where none: masked). */
    NDArray targetIds(NDManager m) {
        return Ops.ids(m, nonNegative(targets), batch, patches, 1);
    }

    /** The fused next-byte labels {@code [B, L, 1]} (id 0 where none: masked). */
    NDArray labelIds(NDManager m) {
        return Ops.ids(m, nonNegative(labels), batch, length, 1);
    }

    /**
     * Which byte positions' predictions make up each patch's likelihood, {@code [B, P, L]}: position t predicts byte
     * t+1, which belongs to patch {@code next}; slot next−1 collects it.
     */
    NDArray patchAssignment(NDManager m) {
        float[] assign = new float[batch * patches * length];
        for (int r = 0; r < batch; r++) {
            int patch = 0;
            for (int t = 0; t < length; t++) {
                int next = patch + (ends[r][t] ? 1 : 0);
                if (t + 1 < realBytes[r] && next >= 1 && next - 1 < patches) {
                    assign[(r * patches + next - 1) * length + t] = 1;
                }
                patch = next;
            }
        }
        return Ops.floats(m, assign, batch, patches, length);
    }

    /** The flat position {@code r·L + t} of the last byte of each patch j+1 (slot j), {@code [B·P]}; 0 where none. */
    NDArray lastBytesOfNextPatches(NDManager m) {
        long[] last = new long[batch * patches];
        for (int r = 0; r < batch; r++) {
            int patch = 0;
            for (int t = 0; t < length; t++) {
                if (ends[r][t]) {
                    if (patch >= 1 && patch < patches) {
                        last[r * patches + patch - 1] = (long) r * length + t;
                    }
                    patch++;
                }
            }
        }
        return Ops.longs(m, last, batch * patches);
    }

    /** A {@code [B, width]} mask of 1 where {@code on(row, column)}. */
    private NDArray mask(NDManager m, int width, BiPredicate<Integer, Integer> on) {
        float[] v = new float[batch * width];
        for (int r = 0; r < batch; r++) {
            for (int c = 0; c < width; c++) {
                v[r * width + c] = on.test(r, c) ? 1 : 0;
            }
        }
        return Ops.floats(m, v, batch, width);
    }

    static int[] flat(int[][] a) {
        return Arrays.stream(a).flatMapToInt(Arrays::stream).toArray();
    }

    private static int[] nonNegative(int[][] ids) {
        return Arrays.stream(flat(ids)).map(t -> Math.max(0, t)).toArray();
    }
}
