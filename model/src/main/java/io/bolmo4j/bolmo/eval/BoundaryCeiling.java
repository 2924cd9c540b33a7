package io.bolmo4j.bolmo.eval;

import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How well any boundary predictor that sees the current word so far plus one byte of lookahead (docs/bolmo.md §3.4) can
 * reproduce a subword tokenizer's token ends. BPE splits inside a word depend on the whole word, which the predictor
 * has not seen yet; so each position is keyed by (word so far, next byte), and the best constant decision per key is
 * counted right. The counts come from the same texts they score, which makes the figure an optimistic ceiling:
 * a stage 1 boundary accuracy above it is not reachable with this tokenizer, on this kind of text, by a predictor that
 * only reads the current word (the earlier context could add a little by guessing which word comes).
 */
public final class BoundaryCeiling {
    /**
     * @param positions        scored positions (every byte that has a next byte)
     * @param boundaries       token ends among them
     * @param wordInternal     token ends between two word bytes (the ones that need more than one byte of lookahead)
     * @param ceiling          best accuracy of a decision per (word so far, next byte)
     */
    public record Result(long positions, long boundaries, long wordInternal, double ceiling) {
        /** Share of token ends that fall inside a word. */
        public double wordInternalShare() {
            return boundaries == 0 ? 0 : (double) wordInternal / boundaries;
        }

        /** Bytes per token. */
        public double bytesPerToken() {
            return boundaries == 0 ? Double.NaN : (double) positions / boundaries;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "positions=%d bytes/token=%.3f word-internal ends=%.1f%% ceiling=%.4f",
                    positions, bytesPerToken(), 100 * wordInternalShare(), ceiling);
        }
    }

    private BoundaryCeiling() {}

    /** The ceiling for a tokenizer's token ends on these texts. */
    public static Result estimate(BpeTokenizer tok, Iterable<String> texts) {
        return estimate(texts, text -> tok.encode(text).tokenEnds());
    }

    /**
     * @param tokenEnds for a text, {@code ends[t]} is true when byte t (of its UTF-8 form) is the last byte of a token
     */
    static Result estimate(Iterable<String> texts, Function<String, boolean[]> tokenEnds) {
        Map<String, long[]> counts = new HashMap<>();
        long positions = 0, boundaries = 0, internal = 0;
        for (String text : texts) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            boolean[] ends = tokenEnds.apply(text);
            if (ends.length != b.length) {
                throw new IllegalArgumentException("token ends cover " + ends.length + " bytes, text has " + b.length);
            }
            for (int t = 0; t + 1 < b.length; t++) {
                counts.computeIfAbsent(key(b, t), k -> new long[2])[ends[t] ? 1 : 0]++;
                positions++;
                boundaries += ends[t] ? 1 : 0;
                internal += ends[t] && isWordByte(b[t]) && isWordByte(b[t + 1]) ? 1 : 0;
            }
        }
        long best = counts.values().stream().mapToLong(c -> Math.max(c[0], c[1])).sum();
        return new Result(positions, boundaries, internal, positions == 0 ? Double.NaN : (double) best / positions);
    }

    /**
     * The bytes a word-level predictor can use at t: the run of word bytes ending at t with the one byte before it
     * (a leading space or quote belongs to the word in GPT-style pre-tokenizers), else the two bytes before t; then
     * byte t+1.
     */
    static String key(byte[] b, int t) {
        int from = t;
        if (isWordByte(b[t])) {
            while (from > 0 && isWordByte(b[from - 1])) {
                from--;
            }
        }
        from = Math.max(0, from - (isWordByte(b[t]) ? 1 : 2));
        return new String(b, from, t + 2 - from, StandardCharsets.ISO_8859_1);
    }

    /** ASCII letters and digits, and every byte of a multi-byte UTF-8 character. */
    static boolean isWordByte(byte x) {
        return x < 0 || Character.isLetterOrDigit((char) x);
    }
}
