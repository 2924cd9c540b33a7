package io.bolmo4j.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A piece of the input under normalization and pre-tokenization (Hugging Face's {@code NormalizedString}): the
 * current text, and for each of its chars the byte range {@code [start, end)} of the original UTF-8 input it stands
 * for. Every edit follows HF's alignment rules, so token offsets come out as HF's. Immutable.
 * <p>
 * A piece cut from the input without edits is kept "identity" (no arrays): its chars are exactly the original's,
 * starting at byte {@link #originalStart()}. That is the fast path of tokenizers without a normalizer.
 */
final class NormalizedString {
    private final String text;
    /** Per char: original byte range; null for an identity piece. Both chars of a surrogate pair hold the same. */
    private final int[] start;
    private final int[] end;
    private final int originalStart;
    private final int originalEnd;
    /** Lazily: per char, its UTF-8 byte offset within {@link #text} (for offsets of non-identity pieces). */
    private int[] byteOfChar;

    private NormalizedString(String text, int[] start, int[] end, int originalStart, int originalEnd) {
        this.text = text;
        this.start = start;
        this.end = end;
        this.originalStart = originalStart;
        this.originalEnd = originalEnd;
    }

    /** @return the whole input, unedited */
    static NormalizedString of(String text) {
        return new NormalizedString(text, null, null, 0, Utf8.length(text, 0, text.length()));
    }

    String text() {
        return text;
    }

    boolean isEmpty() {
        return text.isEmpty();
    }

    /** @return the first original byte this piece covers (HF's {@code offsets_original().0}) */
    int originalStart() {
        return originalStart;
    }

    /** @return one past the last original byte this piece covers */
    int originalEnd() {
        return originalEnd;
    }

    /** Per-char alignment arrays, computed for an identity piece. */
    private int[][] alignments() {
        if (start != null) {
            return new int[][] {start, end};
        }
        int[] s = new int[text.length()];
        int[] e = new int[text.length()];
        int b = originalStart;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Utf8.length(cp);
            int chars = Character.charCount(cp);
            for (int k = 0; k < chars; k++) {
                s[i + k] = b;
                e[i + k] = b + n;
            }
            b += n;
            i += chars;
        }
        return new int[][] {s, e};
    }

    /**
     * The original byte range of the normalized UTF-8 bytes {@code [from, to)} of this piece, packed as
     * {@code start << 32 | end}. HF takes the first byte's start and the last byte's end; a char that normalization
     * left as it was maps byte for byte, so a token holding part of a multi-byte character spans just those bytes.
     */
    long originalRange(int from, int to) {
        if (start == null) {
            return pack(originalStart + from, originalStart + to);
        }
        if (from >= to) {
            return pack(originalStart + from, originalStart + from);
        }
        int[] byteOf = byteOfChar();
        int first = charAt(byteOf, from);
        int last = charAt(byteOf, to - 1);
        int s = untouched(first) ? start[first] + from - byteOf[first] : start[first];
        int e = untouched(last) ? start[last] + to - byteOf[last] : end[last];
        return pack(s, e);
    }

    static long pack(int start, int end) {
        return ((long) start << 32) | (end & 0xFFFFFFFFL);
    }

    private boolean untouched(int i) {
        return end[i] - start[i] == Utf8.length(text.codePointAt(i));
    }

    private int[] byteOfChar() {
        if (byteOfChar == null) {
            int[] b = new int[text.length() + 1];
            int pos = 0;
            for (int i = 0; i < text.length(); i++) {
                b[i] = pos;
                char c = text.charAt(i);
                pos += Character.isHighSurrogate(c) ? 0 : Character.isLowSurrogate(c) ? 4 : Utf8.length((int) c);
            }
            b[text.length()] = pos;
            byteOfChar = b;
        }
        return byteOfChar;
    }

    /** The char (first of a pair) holding UTF-8 byte {@code b}. */
    private int charAt(int[] byteOf, int b) {
        int i = Arrays.binarySearch(byteOf, 0, text.length(), b);
        if (i < 0) {
            i = -i - 2;
        }
        // Both chars of a surrogate pair start at the same byte offset; take the first.
        while (i > 0 && byteOf[i - 1] == byteOf[i]) {
            i--;
        }
        return i;
    }

    // ---- edits (HF's transform: each new char either takes the next old char's place or is inserted) ----

    /**
     * HF's {@code transform}: {@code changes[k] <= 0} makes new char {@code cps[k]} take the place of the next old
     * char (and drop {@code -changes[k]} more), {@code > 0} inserts it with the alignment of the last old char
     * consumed. {@code initialOffset} old chars are dropped first.
     */
    NormalizedString transform(int[] cps, int[] changes, int n, int initialOffset) {
        int[][] old = alignments();
        StringBuilder sb = new StringBuilder(n + 8);
        IntList s = new IntList(n + 8);
        IntList e = new IntList(n + 8);
        int oi = 0;
        int prevStart = originalStart;
        int prevEnd = originalStart;
        for (int k = 0; k < initialOffset; k++) {
            prevStart = old[0][oi];
            prevEnd = old[1][oi];
            oi += Character.charCount(text.codePointAt(oi));
        }
        for (int k = 0; k < n; k++) {
            int as;
            int ae;
            if (changes[k] > 0) {
                as = prevStart;
                ae = prevEnd;
            } else {
                as = old[0][oi];
                ae = old[1][oi];
                for (int r = 0; r <= -changes[k]; r++) {
                    prevStart = old[0][oi];
                    prevEnd = old[1][oi];
                    oi += Character.charCount(text.codePointAt(oi));
                }
            }
            sb.appendCodePoint(cps[k]);
            for (int c = Character.charCount(cps[k]); c > 0; c--) {
                s.add(as);
                e.add(ae);
            }
        }
        return new NormalizedString(sb.toString(), s.toArray(), e.toArray(), originalStart, originalEnd);
    }

    /** HF's {@code transform} where each char becomes the chars {@code f} gives it; see {@link #expand}. */
    NormalizedString flatMap(IntFunction<int[]> f) {
        IntList cps = new IntList(text.length() + 8);
        IntList changes = new IntList(text.length() + 8);
        expand(text, f, cps, changes);
        return transform(cps.toArray(), changes.toArray(), cps.size(), 0);
    }

    /**
     * Appends the chars {@code f} gives each char of {@code text} to {@code cps}, with their changes: the first takes
     * the old char's place (0), the others are inserted after it (1).
     */
    static void expand(String text, IntFunction<int[]> f, IntList cps, IntList changes) {
        text.codePoints().forEach(cp -> {
            int[] out = f.apply(cp);
            for (int k = 0; k < out.length; k++) {
                cps.add(out[k]);
                changes.add(k == 0 ? 0 : 1);
            }
        });
    }

    /** HF's {@code map}: each char replaced by one char, alignments kept. */
    NormalizedString map(IntUnaryOperator f) {
        int n = text.codePointCount(0, text.length());
        int[] cps = new int[n];
        int k = 0;
        boolean changed = false;
        for (int i = 0; i < text.length(); k++) {
            int cp = text.codePointAt(i);
            cps[k] = f.applyAsInt(cp);
            changed |= cps[k] != cp;
            i += Character.charCount(cp);
        }
        return changed ? transform(cps, new int[n], n, 0) : this;
    }

    /** HF's {@code filter}: drops the chars {@code keep} rejects; kept chars keep their alignments. */
    NormalizedString filter(IntPredicate keep) {
        int n = text.codePointCount(0, text.length());
        int[] cps = new int[n];
        int[] changes = new int[n];
        int count = 0;
        int removed = 0;
        int leading = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (keep.test(cp)) {
                if (count > 0) {
                    changes[count - 1] = -removed;
                } else {
                    leading = removed;
                }
                cps[count++] = cp;
                removed = 0;
            } else {
                removed++;
            }
        }
        if (count == n) {
            return this;
        }
        if (count > 0) {
            changes[count - 1] = -removed;
        } else {
            leading = removed;
        }
        return transform(cps, changes, count, leading);
    }

    /** HF's {@code prepend}: the new chars take the alignment of the first char. No-op on an empty string. */
    NormalizedString prepend(String prefix) {
        if (text.isEmpty() || prefix.isEmpty()) {
            return this;
        }
        int[][] old = alignments();
        int len = prefix.length() + text.length();
        int[] s = new int[len];
        int[] e = new int[len];
        Arrays.fill(s, 0, prefix.length(), old[0][0]);
        Arrays.fill(e, 0, prefix.length(), old[1][0]);
        System.arraycopy(old[0], 0, s, prefix.length(), text.length());
        System.arraycopy(old[1], 0, e, prefix.length(), text.length());
        return new NormalizedString(prefix + text, s, e, originalStart, originalEnd);
    }

    /**
     * HF's {@code replace}: every match of {@code matches} (a covering list of {@code (start, end, isMatch)} triples)
     * becomes {@code content}, whose chars take the alignment of the match's last char.
     */
    NormalizedString replace(IntList matches, String content) {
        int[][] old = alignments();
        StringBuilder sb = new StringBuilder(text.length() + 8);
        IntList s = new IntList(text.length() + 8);
        IntList e = new IntList(text.length() + 8);
        boolean any = false;
        for (int m = 0; m < matches.size(); m += 3) {
            int from = matches.get(m);
            int to = matches.get(m + 1);
            if (matches.get(m + 2) == 0) {
                sb.append(text, from, to);
                for (int i = from; i < to; i++) {
                    s.add(old[0][i]);
                    e.add(old[1][i]);
                }
            } else {
                any = true;
                int as = to == 0 ? originalStart : old[0][to - 1];
                int ae = to == 0 ? originalStart : old[1][to - 1];
                sb.append(content);
                for (int i = 0; i < content.length(); i++) {
                    s.add(as);
                    e.add(ae);
                }
            }
        }
        return any ? new NormalizedString(sb.toString(), s.toArray(), e.toArray(), originalStart, originalEnd) : this;
    }

    // ---- splitting ----

    /**
     * HF's regex {@code find_matches} as a covering list of {@code (start, end, isMatch)} char triples. Like
     * Oniguruma's iterator, an empty match right where the previous match ended is skipped.
     */
    static IntList findMatches(Pattern pattern, String text, boolean invert) {
        IntList out = new IntList(16);
        if (text.isEmpty()) {
            add(out, 0, 0, invert);
            return out;
        }
        Matcher m = pattern.matcher(text);
        int prev = 0;
        boolean matched = false;
        while (m.find()) {
            int s = m.start();
            int e = m.end();
            if (s == e && matched && s == prev) {
                continue;
            }
            if (prev != s) {
                add(out, prev, s, invert);
            }
            add(out, s, e, !invert);
            prev = e;
            matched = true;
        }
        if (prev != text.length()) {
            add(out, prev, text.length(), invert);
        }
        return out;
    }

    /** HF's char-predicate {@code find_matches}: every matching char is a match of its own. */
    static IntList findMatches(IntPredicate isDelimiter, String text, boolean invert) {
        IntList out = new IntList(16);
        if (text.isEmpty()) {
            add(out, 0, 0, invert);
            return out;
        }
        int last = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isDelimiter.test(cp)) {
                if (last < i) {
                    add(out, last, i, invert);
                }
                add(out, i, next, !invert);
                last = next;
            }
            i = next;
        }
        if (last < text.length()) {
            add(out, last, text.length(), invert);
        }
        return out;
    }

    private static void add(IntList out, int start, int end, boolean match) {
        out.add(start);
        out.add(end);
        out.add(match ? 1 : 0);
    }

    /** HF's {@code split}: the non-empty pieces {@code behavior} keeps, appended to {@code out}. */
    void split(IntList matches, SplitDelimiterBehavior behavior, List<NormalizedString> out) {
        slices(behavior.pieces(matches), out);
    }

    /** Appends the non-empty slices {@code (from, to)} (char pairs, in order) to {@code out}. */
    void slices(IntList ranges, List<NormalizedString> out) {
        int charPos = 0;
        int bytePos = originalStart;
        for (int r = 0; r < ranges.size(); r += 2) {
            int from = ranges.get(r);
            int to = ranges.get(r + 1);
            if (from >= to) {
                continue;
            }
            if (start == null) {
                bytePos += Utf8.length(text, charPos, from);
                int len = Utf8.length(text, from, to);
                out.add(new NormalizedString(text.substring(from, to), null, null, bytePos, bytePos + len));
                bytePos += len;
                charPos = to;
            } else {
                out.add(new NormalizedString(text.substring(from, to), Arrays.copyOfRange(start, from, to),
                        Arrays.copyOfRange(end, from, to), start[from], end[to - 1]));
            }
        }
    }

    @Override
    public String toString() {
        return "NormalizedString[" + text + " @" + originalStart + ".." + originalEnd + "]";
    }
}
