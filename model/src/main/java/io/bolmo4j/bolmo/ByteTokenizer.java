package io.bolmo4j.bolmo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
    private static final String END_OF_TEXT = "<|endoftext|>";

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
        return encode(text, false);
    }

    /**
     * Encodes {@code text}; with {@code allowSpecial}, literal {@code <|endoftext|>} becomes id 1, as the dolma2
     * tokenizer maps its end-of-text token (docs/bolmo.md §2.1).
     */
    public static int[] encode(String text, boolean allowSpecial) {
        List<Integer> out = new ArrayList<>();
        out.add(BOS);
        String rest = text;
        while (!rest.isEmpty()) {
            int cut = allowSpecial ? rest.indexOf(END_OF_TEXT) : -1;
            String piece = cut < 0 ? rest : rest.substring(0, cut);
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                out.add(OFFSET + (b & 0xFF));
            }
            if (cut < 0) {
                break;
            }
            out.add(EOS);
            rest = rest.substring(cut + END_OF_TEXT.length());
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
