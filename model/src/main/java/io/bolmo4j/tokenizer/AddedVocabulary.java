package io.bolmo4j.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code added_tokens} of a tokenizer.json, split out of the text before the model sees it (HF's
 * {@code AddedVocabulary}): tokens with {@code normalized: false} are matched in the input, the others in the
 * normalized text (against their normalized content). Matching is leftmost-longest; a match is then dropped if it
 * is special and specials are not allowed, or if {@code single_word} and it touches a word character; kept matches
 * swallow adjacent whitespace with {@code lstrip} / {@code rstrip}.
 */
final class AddedVocabulary {
    /** An entry of {@code added_tokens}. */
    record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                      boolean normalized) {
    }

    /** Candidates by first char, longest first: a small trie good enough for dozens to hundreds of tokens. */
    private static final class Literals {
        private final Map<Character, List<Match>> byFirst = new HashMap<>();

        record Match(String text, AddedToken token) {
        }

        void add(String text, AddedToken token) {
            List<Match> list = byFirst.computeIfAbsent(text.charAt(0), c -> new ArrayList<>());
            if (list.stream().noneMatch(m -> m.text().equals(text))) {
                list.add(new Match(text, token));
                list.sort(Comparator.comparingInt((Match m) -> m.text().length()).reversed());
            }
        }

        boolean isEmpty() {
            return byFirst.isEmpty();
        }

        /** @return the leftmost-longest match at or after {@code from}, or null */
        Match find(String s, int from, int[] at) {
            for (int i = from; i < s.length(); i++) {
                List<Match> candidates = byFirst.get(s.charAt(i));
                if (candidates != null) {
                    for (Match m : candidates) {
                        if (s.startsWith(m.text(), i)) {
                            at[0] = i;
                            return m;
                        }
                    }
                }
            }
            return null;
        }
    }

    private final Literals raw = new Literals();
    private final Literals normalized = new Literals();

    /**
     * @param tokens     the added tokens, in file order
     * @param normalizer the tokenizer's normalizer (null for none), applied to the content of normalized tokens
     */
    AddedVocabulary(List<AddedToken> tokens, Normalizer normalizer) {
        // HF matches specials and other added tokens in one trie each; file order does not matter (longest wins).
        for (AddedToken t : tokens) {
            if (t.normalized()) {
                NormalizedString content = NormalizedString.of(t.content());
                String text = normalizer == null ? t.content() : normalizer.normalize(content).text();
                if (!text.isEmpty()) {
                    normalized.add(text, t);
                }
            } else {
                raw.add(t.content(), t);
            }
        }
    }

    /**
     * Splits {@code piece} at the added tokens found in it: appends each part to {@code parts} and, to {@code ids},
     * the added token's id or -1 for text in between.
     *
     * @param normalizedStage whether {@code piece} is normalized text (match normalized tokens) or input (the others)
     */
    void split(NormalizedString piece, boolean normalizedStage, boolean allowSpecial, List<NormalizedString> parts,
               IntList ids) {
        Literals literals = normalizedStage ? normalized : raw;
        String s = piece.text();
        if (literals.isEmpty() || s.isEmpty()) {
            if (!s.isEmpty()) {
                parts.add(piece);
                ids.add(-1);
            }
            return;
        }
        IntList ranges = new IntList(8);
        int done = 0;
        int[] at = new int[1];
        for (int from = 0; ; ) {
            Literals.Match m = literals.find(s, from, at);
            if (m == null) {
                break;
            }
            int start = at[0];
            int stop = start + m.text().length();
            from = stop;
            AddedToken t = m.token();
            if (t.special() && !allowSpecial) {
                continue;
            }
            if (t.singleWord() && ((start > 0 && Chars.isWord(s.codePointBefore(start)))
                    || (stop < s.length() && Chars.isWord(s.codePointAt(stop))))) {
                continue;
            }
            if (t.lstrip()) {
                int newStart = start;
                while (newStart > 0 && Chars.isWhitespace(s.codePointBefore(newStart))) {
                    newStart -= Character.charCount(s.codePointBefore(newStart));
                }
                start = Math.max(newStart, done);
            }
            if (t.rstrip()) {
                while (stop < s.length() && Chars.isWhitespace(s.codePointAt(stop))) {
                    stop += Character.charCount(s.codePointAt(stop));
                }
            }
            if (done < start) {
                ranges.add(done);
                ranges.add(start);
                ids.add(-1);
            }
            ranges.add(start);
            ranges.add(stop);
            ids.add(t.id());
            done = stop;
        }
        if (done < s.length()) {
            ranges.add(done);
            ranges.add(s.length());
            ids.add(-1);
        }
        piece.slices(ranges, parts);
    }
}
