package io.bolmo4j.tokenizer;

import java.text.Normalizer.Form;
import java.util.List;
import java.util.regex.Pattern;

/** A tokenizer.json {@code normalizer}: rewrites a piece of text, keeping HF's alignment to the original. */
sealed interface Normalizer {
    NormalizedString normalize(NormalizedString s);

    /** {@code NFC}, {@code NFD}, {@code NFKC}, {@code NFKD}. */
    record Unicode(Form form) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            return UnicodeNormalization.apply(s, form);
        }
    }

    /** {@code Lowercase}: Unicode full lowercase mapping per character, as Rust's {@code char::to_lowercase}. */
    record Lowercase() implements Normalizer {
        /** The one character whose full lowercase mapping is two characters (i + combining dot above). */
        private static final int CAPITAL_I_WITH_DOT = 0x130;

        @Override
        public NormalizedString normalize(NormalizedString s) {
            String text = s.text();
            if (text.indexOf(CAPITAL_I_WITH_DOT) < 0) {
                return s.map(Character::toLowerCase);
            }
            return s.flatMap(cp -> cp == CAPITAL_I_WITH_DOT ? new int[] {'i', 0x307}
                    : new int[] {Character.toLowerCase(cp)});
        }
    }

    /** {@code Strip}: removes leading and/or trailing whitespace. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            String text = s.text();
            int from = 0;
            int to = text.length();
            if (left) {
                while (from < to && Chars.isWhitespace(text.codePointAt(from))) {
                    from += Character.charCount(text.codePointAt(from));
                }
            }
            if (right) {
                while (to > from && Chars.isWhitespace(text.codePointBefore(to))) {
                    to -= Character.charCount(text.codePointBefore(to));
                }
            }
            if (from == 0 && to == text.length()) {
                return s;
            }
            int keptFrom = from;
            int keptTo = to;
            // HF's strip keeps each remaining char's own alignment: a filter of the ends.
            int[] index = {0};
            return s.filter(cp -> {
                int i = index[0];
                index[0] += Character.charCount(cp);
                return i >= keptFrom && i < keptTo;
            });
        }
    }

    /** {@code Replace}: every match of a literal or regex becomes {@code content}. */
    record Replace(Pattern pattern, String content) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            return s.replace(NormalizedString.findMatches(pattern, s.text(), false), content);
        }
    }

    /** {@code Prepend}: puts {@code prefix} in front of every non-empty piece. */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            return s.prepend(prefix);
        }
    }

    /** {@code BertNormalizer}: control chars out, whitespace to spaces, CJK spaced, accents stripped, lowercase. */
    record Bert(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
            implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            if (cleanText) {
                s = s.filter(c -> !(c == 0 || c == 0xFFFD || (Chars.isOther(c) && c != '\t' && c != '\n' && c != '\r')))
                        .map(c -> Chars.isWhitespace(c) ? ' ' : c);
            }
            if (handleChineseChars) {
                s = spaceChineseChars(s);
            }
            if (stripAccents) {
                s = UnicodeNormalization.apply(s, Form.NFD)
                        .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK);
            }
            return lowercase ? new Lowercase().normalize(s) : s;
        }

        private static NormalizedString spaceChineseChars(NormalizedString s) {
            String text = s.text();
            if (text.codePoints().noneMatch(Chars::isChineseChar)) {
                return s;
            }
            return s.flatMap(c -> Chars.isChineseChar(c) ? new int[] {' ', c, ' '} : new int[] {c});
        }
    }

    /** {@code Sequence}: the normalizers in order. */
    record Sequence(List<Normalizer> steps) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            for (Normalizer n : steps) {
                s = n.normalize(s);
            }
            return s;
        }
    }
}
