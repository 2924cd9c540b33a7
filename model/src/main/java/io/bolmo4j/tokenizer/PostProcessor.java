package io.bolmo4j.tokenizer;

import java.util.List;

/**
 * A tokenizer.json {@code post_processor} for a single sequence: adds the special tokens of
 * {@code add_special_tokens} (at offsets 0..0, as HF) and/or trims offsets.
 */
sealed interface PostProcessor {
    /** @return the processed tokens (possibly {@code tokens} itself, modified) */
    Tokens process(Tokens tokens, boolean addSpecialTokens);

    /** @return whether {@link #process} reads token strings */
    boolean needsValues();

    /** A special token of a template: one or more ids with their strings. */
    record Special(int[] ids, String[] tokens) {
    }

    /**
     * {@code TemplateProcessing}: the {@code single} template, each piece a special token or the sequence (null).
     * {@code BertProcessing} is the template {@code cls} A {@code sep}.
     */
    record Template(List<Special> pieces) implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return tokens;
            }
            Tokens out = new Tokens(tokens.text, tokens.size() + 4, tokens.values != null);
            for (Special piece : pieces) {
                if (piece == null) {
                    out.addAll(tokens);
                } else {
                    for (int i = 0; i < piece.ids().length; i++) {
                        out.add(piece.ids()[i], 0, 0, piece.tokens()[i]);
                    }
                }
            }
            return out;
        }

        @Override
        public boolean needsValues() {
            return false;
        }
    }

    /**
     * {@code ByteLevel}: trims leading/trailing spaces off offsets when {@code trim_offsets}. {@code RobertaProcessing}
     * is this followed by BertProcessing's template.
     */
    record ByteLevel(boolean trimOffsets, boolean addPrefixSpace) implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            if (trimOffsets) {
                trim(tokens, addPrefixSpace);
            }
            return tokens;
        }

        @Override
        public boolean needsValues() {
            return trimOffsets;
        }
    }

    /** {@code Sequence}: the processors in order. */
    record Sequence(List<PostProcessor> steps) implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            for (PostProcessor p : steps) {
                tokens = p.process(tokens, addSpecialTokens);
            }
            return tokens;
        }

        @Override
        public boolean needsValues() {
            return steps.stream().anyMatch(PostProcessor::needsValues);
        }
    }

    /**
     * HF's {@code process_offsets}: a token's leading and trailing spaces ({@code Ġ} or whitespace in its string)
     * are cut from its span, except one leading space of the first token when a prefix space was added. HF counts
     * them in characters of the input, and so does this.
     */
    private static void trim(Tokens t, boolean addPrefixSpace) {
        byte[] utf8 = t.utf8();
        for (int i = 0; i < t.size(); i++) {
            String value = t.values.get(i);
            int start = t.starts.get(i);
            int end = t.ends.get(i);
            int leading = 0;
            for (int k = 0; k < value.length() && isSpace(value.codePointAt(k)); k += Character.charCount(value.codePointAt(k))) {
                leading++;
            }
            int trailing = 0;
            for (int k = value.length(); k > 0 && isSpace(value.codePointBefore(k)); k -= Character.charCount(value.codePointBefore(k))) {
                trailing++;
            }
            if (leading > 0) {
                boolean first = i == 0 || start == 0;
                if (first && addPrefixSpace && leading == 1) {
                    leading = 0;
                }
                int s = start;
                for (int k = 0; k < leading && s < utf8.length; k++) {
                    s++;
                    while (s < utf8.length && (utf8[s] & 0xC0) == 0x80) {
                        s++;
                    }
                }
                if (s < end) {
                    start = s;
                } else {
                    // Trimmed to nothing: HF leaves an empty span at the end of the token's last character.
                    while (end < utf8.length && (utf8[end] & 0xC0) == 0x80) {
                        end++;
                    }
                    start = end;
                }
            }
            if (trailing > 0 && charIndex(utf8, end) >= trailing) {
                int e = end;
                for (int k = 0; k < trailing && e > 0; k++) {
                    e--;
                    while (e > 0 && (utf8[e] & 0xC0) == 0x80) {
                        e--;
                    }
                }
                end = Math.max(e, start);
            }
            t.starts.set(i, start);
            t.ends.set(i, end);
        }
    }

    /** The number of characters before byte {@code b} (a character cut at {@code b} counts). */
    private static int charIndex(byte[] utf8, int b) {
        int n = 0;
        for (int i = 0; i < b && i < utf8.length; i++) {
            if ((utf8[i] & 0xC0) != 0x80) {
                n++;
            }
        }
        return n;
    }

    private static boolean isSpace(int c) {
        return c == ByteLevelAlphabet.charOf(' ') || Chars.isWhitespace(c);
    }
}
