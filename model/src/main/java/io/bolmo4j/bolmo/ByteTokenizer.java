package io.bolmo4j.bolmo;

import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.DocumentTokens;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Bolmo's 520-id byte vocabulary (docs/bolmo.md §2.1): 0 {@code <pad>}, 1 {@code <bos>} (also EOS), 2 {@code <eos>} (never
 * produced), 3 {@code <bpe_token_end>}; byte b is {@code 4 + b}; "fused" ids {@code 260 + id} mean the same symbol
 * and that it ends its patch.
 */
public final class ByteTokenizer {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 1;
    public static final int BPE_TOKEN_END = 3;
    public static final int OFFSET = 4;
    public static final int FUSED = 260;
    public static final int VOCAB = 520;
    static final String[] SPECIALS = {"<pad>", "<bos>", "<eos>", "<bpe_token_end>"};

    private ByteTokenizer() {}

    /**
     * log p(next byte) at one position with its boundary flag folded out (docs/bolmo.md §3.7): the plain and the fused id's
     * probabilities summed, from a row-major {@code [L, VOCAB]} array of log-softmax outputs.
     */
    public static double foldedLogProb(float[] logSoftmax, int position, int nextId) {
        double a = logSoftmax[position * VOCAB + nextId], b = logSoftmax[position * VOCAB + nextId + FUSED];
        double max = Math.max(a, b);
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }

    /** The negative sum of {@link #foldedLogProb} of {@code ids[t + 1]} at positions {@code from ≤ t < to}. */
    public static double foldedNll(float[] logSoftmax, int[] ids, int from, int to) {
        double nll = 0;
        for (int t = from; t < to; t++) {
            nll -= foldedLogProb(logSoftmax, t, ids[t + 1]);
        }
        return nll;
    }

    /** The name of a special id ({@code <pad>}, {@code <bos>}, {@code <eos>}, {@code <bpe_token_end>}). */
    public static String specialToken(int id) {
        return SPECIALS[id];
    }

    /** BOS followed by the UTF-8 bytes of {@code text} (+4). */
    public static int[] encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[utf8.length + 1];
        ids[0] = BOS;
        for (int i = 0; i < utf8.length; i++) {
            ids[i + 1] = OFFSET + (utf8[i] & 0xFF);
        }
        return ids;
    }

    /**
     * Encodes {@code text} with the teacher's literal BOS and end-of-text strings ({@link BpeTokenizer#documentTokens()},
     * e.g. {@code <|endoftext|>}, {@code <|begin_of_text|>}) as id 1, as the reference maps its teacher's BOS and EOS
     * (docs/bolmo.md §2.1); every other special token is written out as its bytes.
     */
    public static int[] encode(String text, BpeTokenizer teacher) {
        DocumentTokens doc = teacher.documentTokens();
        List<String> specials = IntStream.concat(doc.bos().stream(), doc.endOfText().stream()).distinct()
                .mapToObj(teacher::tokenString).toList();
        List<Integer> out = new ArrayList<>();
        out.add(BOS);
        int from = 0;
        while (from < text.length()) {
            int cut = text.length();
            String found = null;
            for (String s : specials) {
                int at = text.indexOf(s, from);
                if (at >= 0 && at < cut) {
                    cut = at;
                    found = s;
                }
            }
            for (byte b : text.substring(from, cut).getBytes(StandardCharsets.UTF_8)) {
                out.add(OFFSET + (b & 0xFF));
            }
            if (found == null) {
                break;
            }
            out.add(EOS);
            from = cut + found.length();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Decodes ids (plain or fused); specials are skipped or written by name; invalid UTF-8 becomes U+FFFD. */
    public static String decode(int[] ids, boolean skipSpecial) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            int p = plain(id);
            if (p < OFFSET) {
                if (!skipSpecial) {
                    bytes.writeBytes(SPECIALS[p].getBytes(StandardCharsets.UTF_8));
                }
            } else {
                bytes.write(Math.min(255, p - OFFSET));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The id without its patch-end flag. */
    public static int plain(int id) {
        if (id < 0 || id >= VOCAB) {
            throw new IllegalArgumentException("byte id " + id + " is outside [0, " + VOCAB + ")");
        }
        return id >= FUSED ? id - FUSED : id;
    }

    /** The fused ("ends its patch") version of a plain id. */
    public static int fused(int id) {
        return plain(id) + FUSED;
    }

    public static boolean isFused(int id) {
        return id >= FUSED;
    }
}
