package io.bolmo4j.tokenizer;

import java.text.Normalizer;
import java.text.Normalizer.Form;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NFD / NFKD / NFC / NFKC with Hugging Face's alignment bookkeeping (its {@code unicode-normalization-alignments}
 * crate): every output char carries a change count ({@code 0}: takes the place of an input char, {@code 1}: inserted,
 * {@code -n}: also swallows {@code n} more), which {@link NormalizedString#transform} turns into offsets.
 * <p>
 * The algorithm is the standard one (full decomposition, canonical ordering of combining marks, canonical
 * composition). {@link Normalizer} supplies the Unicode data: decompositions of single characters, whether two
 * characters compose, and the relative order of combining classes (a pair of marks is reordered by NFD exactly when
 * the first has the higher class). Results are cached per character or pair.
 */
final class UnicodeNormalization {
    /** U+0334 has combining class 1 and U+0345 class 240, the smallest and largest non-zero classes. */
    private static final String LOWEST_MARK = "\u0334";
    private static final String HIGHEST_MARK = "\u0345";
    private static final int NONE = -1;

    private static final ConcurrentHashMap<Integer, int[]> CANONICAL = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, int[]> COMPATIBLE = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, Boolean> STARTER = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, Integer> ORDER = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, Integer> COMPOSITE = new ConcurrentHashMap<>();

    private UnicodeNormalization() {
    }

    /** @return {@code s} normalized to {@code form}, alignments as HF computes them */
    static NormalizedString apply(NormalizedString s, Form form) {
        String text = s.text();
        if (Normalizer.isNormalized(text, form)) {
            return s; // every char maps to itself with change 0: alignments unchanged
        }
        IntList cps = new IntList(text.length() + 8);
        IntList changes = new IntList(text.length() + 8);
        decompose(text, form == Form.NFKD || form == Form.NFKC, cps, changes);
        if (form == Form.NFC || form == Form.NFKC) {
            IntList outCps = new IntList(cps.size());
            IntList outChanges = new IntList(cps.size());
            compose(cps, changes, outCps, outChanges);
            cps = outCps;
            changes = outChanges;
        }
        return s.transform(cps.toArray(), changes.toArray(), cps.size(), 0);
    }

    private static void decompose(String text, boolean compatible, IntList cps, IntList changes) {
        NormalizedString.expand(text, cp -> decomposition(cp, compatible), cps, changes);
        // Canonical ordering: a stable sort of every run of combining marks by class; changes travel with chars.
        int n = cps.size();
        for (int i = 0; i < n; i++) {
            if (isStarter(cps.get(i))) {
                continue;
            }
            int runEnd = i;
            while (runEnd < n && !isStarter(cps.get(runEnd))) {
                runEnd++;
            }
            for (int j = i + 1; j < runEnd; j++) {
                int c = cps.get(j);
                int ch = changes.get(j);
                int k = j - 1;
                while (k >= i && order(cps.get(k), c) > 0) {
                    cps.set(k + 1, cps.get(k));
                    changes.set(k + 1, changes.get(k));
                    k--;
                }
                cps.set(k + 1, c);
                changes.set(k + 1, ch);
            }
            i = runEnd;
        }
    }

    /** Canonical composition of a decomposed, ordered sequence; a composite's change is the sum of its parts' - 1. */
    private static void compose(IntList cps, IntList changes, IntList outCps, IntList outChanges) {
        int composee = NONE;
        int composeeChange = 0;
        int lastMark = NONE;
        IntList blocked = new IntList(8);
        for (int i = 0; i < cps.size(); i++) {
            int ch = cps.get(i);
            int change = changes.get(i);
            boolean starter = isStarter(ch);
            if (composee == NONE) {
                if (!starter) {
                    outCps.add(ch);
                    outChanges.add(change);
                } else {
                    composee = ch;
                    composeeChange = change;
                }
                continue;
            }
            if (lastMark == NONE || (!starter && order(lastMark, ch) < 0)) {
                int r = composite(composee, ch);
                if (r != NONE) {
                    composee = r;
                    composeeChange += change - 1;
                    continue;
                }
            }
            if (starter) {
                emit(composee, composeeChange, blocked, outCps, outChanges);
                lastMark = NONE;
                composee = ch;
                composeeChange = change;
            } else {
                blocked.add(ch);
                blocked.add(change);
                lastMark = ch;
            }
        }
        if (composee != NONE) {
            emit(composee, composeeChange, blocked, outCps, outChanges);
        }
    }

    /** Outputs the composee and the marks it could not absorb ({@code blocked}: char, change pairs), then clears those. */
    private static void emit(int composee, int change, IntList blocked, IntList outCps, IntList outChanges) {
        outCps.add(composee);
        outChanges.add(change);
        for (int b = 0; b < blocked.size(); b += 2) {
            outCps.add(blocked.get(b));
            outChanges.add(blocked.get(b + 1));
        }
        blocked.clear();
    }

    private static int[] decomposition(int cp, boolean compatible) {
        if (cp < 0xA0) {
            return new int[] {cp};
        }
        return (compatible ? COMPATIBLE : CANONICAL).computeIfAbsent(cp, c -> Normalizer.normalize(
                Character.toString(c), compatible ? Normalizer.Form.NFKD : Normalizer.Form.NFD).codePoints().toArray());
    }

    /** Combining class 0, tested by whether NFD moves the lowest or the highest class mark across the char. */
    private static boolean isStarter(int cp) {
        if (cp < 0x300) {
            return true;
        }
        return STARTER.computeIfAbsent(cp, c -> {
            String s = Character.toString(c);
            boolean above1 = Normalizer.normalize(s + LOWEST_MARK, Normalizer.Form.NFD).startsWith(LOWEST_MARK);
            boolean below240 = Normalizer.normalize(HIGHEST_MARK + s, Normalizer.Form.NFD).startsWith(s);
            return !above1 && !below240;
        });
    }

    /** Sign of {@code ccc(a) - ccc(b)} for two combining marks. */
    private static int order(int a, int b) {
        return ORDER.computeIfAbsent(((long) a << 32) | b, k -> {
            String sa = Character.toString(a);
            String sb = Character.toString(b);
            if (Normalizer.normalize(sa + sb, Normalizer.Form.NFD).startsWith(sb) && a != b) {
                return 1;
            }
            return Normalizer.normalize(sb + sa, Normalizer.Form.NFD).startsWith(sa) && a != b ? -1 : 0;
        });
    }

    /** The primary composite of {@code a b}, or {@link #NONE}. */
    private static int composite(int a, int b) {
        return COMPOSITE.computeIfAbsent(((long) a << 32) | b, k -> {
            String c = Normalizer.normalize(Character.toString(a) + Character.toString(b), Normalizer.Form.NFC);
            return c.codePointCount(0, c.length()) == 1 ? c.codePointAt(0) : NONE;
        });
    }
}
