package io.bolmo4j.bolmo.train;

import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Teacher-forced Stage 1 examples (docs/bolmo.md §2.2, §6.2): the bytes of whole teacher tokens after a BOS, padded to a
 * fixed length; the teacher sees {@code [bos] ++ tokens} (its BOS id, OLMo's end-of-text), so teacher position j lines up
 * with student patch j.
 */
public final class Stage1Batch {
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

    private Stage1Batch(List<int[]> rows, BpeTokenizer tok, SubwordSuffixTrie trie, int length) {
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

    public static Stage1Batch of(List<int[]> rows, BpeTokenizer tok, SubwordSuffixTrie trie, int length) {
        return new Stage1Batch(rows, tok, trie, length);
    }
}
