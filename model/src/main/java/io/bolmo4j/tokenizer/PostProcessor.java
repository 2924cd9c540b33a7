package io.bolmo4j.tokenizer;

import java.util.Arrays;
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

    /** {@code TemplateProcessing}: the {@code single} template, each piece a special token or the sequence. */
    record Template(List<Special> pieces) implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return tokens;
            }
            Tokens out = new Tokens(tokens.size() + 4, tokens.values != null);
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

    /** {@code ByteLevel}: trims leading/trailing spaces off offsets when {@code trim_offsets}. */
    record ByteLevel(boolean trimOffsets, boolean addPrefixSpace, boolean byteLevelVocab) implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            if (trimOffsets) {
                trim(tokens, addPrefixSpace, byteLevelVocab);
            }
            return tokens;
        }

        @Override
        public boolean needsValues() {
            return trimOffsets;
        }
    }

    /** {@code RobertaProcessing}: optional offset trimming, then {@code cls} A {@code sep}. */
    record Roberta(Special cls, Special sep, boolean trimOffsets, boolean addPrefixSpace, boolean byteLevelVocab)
            implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            if (trimOffsets) {
                trim(tokens, addPrefixSpace, byteLevelVocab);
            }
            return new Template(Arrays.asList(cls, null, sep)).process(tokens, addSpecialTokens);
        }

        @Override
        public boolean needsValues() {
            return trimOffsets;
        }
    }

    /** {@code BertProcessing}: {@code cls} A {@code sep}. */
    record Bert(Special cls, Special sep) implements PostProcessor {
        @Override
        public Tokens process(Tokens tokens, boolean addSpecialTokens) {
            return new Template(Arrays.asList(cls, null, sep)).process(tokens, addSpecialTokens);
        }

        @Override
        public boolean needsValues() {
            return false;
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
     * are cut from its span, except one leading space of the first token when a prefix space was added.
     */
    private static void trim(Tokens t, boolean addPrefixSpace, boolean byteLevelVocab) {
        for (int i = 0; i < t.size(); i++) {
            String value = t.values.get(i);
            int start = t.starts.get(i);
            int end = t.ends.get(i);
            int leadingChars = 0;
            int leadingBytes = 0;
            for (int k = 0; k < value.length(); ) {
                int c = value.codePointAt(k);
                if (!isSpace(c)) {
                    break;
                }
                leadingChars++;
                leadingBytes += spaceBytes(c, byteLevelVocab);
                k += Character.charCount(c);
            }
            int trailingBytes = 0;
            for (int k = value.length(); k > 0; ) {
                int c = value.codePointBefore(k);
                if (!isSpace(c)) {
                    break;
                }
                trailingBytes += spaceBytes(c, byteLevelVocab);
                k -= Character.charCount(c);
            }
            if (leadingChars > 0) {
                boolean first = i == 0 || start == 0;
                if (first && addPrefixSpace && leadingChars == 1) {
                    leadingBytes = 0;
                }
                start = Math.min(start + leadingBytes, end);
            }
            if (trailingBytes > 0 && end >= trailingBytes) {
                end = Math.max(end - trailingBytes, start);
            }
            t.starts.set(i, start);
            t.ends.set(i, end);
        }
    }

    private static boolean isSpace(int c) {
        return c == ByteLevelAlphabet.charOf(' ') || Chars.isWhitespace(c);
    }

    /** Original bytes of one trimmed char: {@code Ġ} in a byte-level token stands for the one byte of a space. */
    private static int spaceBytes(int c, boolean byteLevelVocab) {
        return c == ByteLevelAlphabet.charOf(' ') && byteLevelVocab ? 1 : Utf8.length(c);
    }
}
