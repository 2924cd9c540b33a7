package io.bolmo4j.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Splits text into pre-tokens with a chain of regexes in Hugging Face {@code Split} "Isolated" style: each match is
 * a piece, and so is each unmatched gap, so the pieces always tile the text. Later regexes split the pieces of
 * earlier ones, each piece seen as a string of its own (lookarounds do not see past it).
 */
final class PreTokenizer {
    /** GPT-2's pattern, used by a {@code ByteLevel} pre-tokenizer with {@code use_regex: true}. */
    static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private final Pattern[] patterns;

    private PreTokenizer(Pattern[] patterns) {
        this.patterns = patterns;
    }

    /**
     * @param regexes Oniguruma-style patterns as written in tokenizer.json, applied in order
     * @throws TokenizerException if a pattern does not compile or uses syntax Java reads differently
     */
    static PreTokenizer of(List<String> regexes) {
        Pattern[] compiled = new Pattern[regexes.size()];
        for (int i = 0; i < compiled.length; i++) {
            compiled[i] = compile(regexes.get(i));
        }
        return new PreTokenizer(compiled);
    }

    /**
     * Compiles an Oniguruma (Ruby syntax) pattern as java.util.regex. Both support possessive quantifiers, atomic
     * groups and {@code \p{..}}; the flags make {@code \s}, {@code \w}, {@code \d} and {@code (?i)} Unicode-aware
     * as in Oniguruma, and make {@code .}, {@code ^}, {@code $} treat only {@code \n} as a line end, as Ruby does.
     */
    static Pattern compile(String regex) {
        if (regex.contains("[[:")) {
            throw new TokenizerException("unsupported pre-tokenizer regex (POSIX bracket classes): " + regex);
        }
        try {
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES | Pattern.MULTILINE);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException("pre-tokenizer regex does not compile in Java: " + e.getMessage(), e);
        }
    }

    /** Appends to {@code ends} the end index of every pre-token of {@code text[from, to)}, in order. */
    void split(CharSequence text, int from, int to, IntList ends) {
        if (from >= to) {
            return;
        }
        if (patterns.length == 0) {
            ends.add(to);
            return;
        }
        Matcher[] matchers = new Matcher[patterns.length];
        for (int i = 0; i < matchers.length; i++) {
            matchers[i] = patterns[i].matcher(text);
        }
        split(matchers, 0, from, to, ends);
    }

    private static void split(Matcher[] matchers, int level, int from, int to, IntList ends) {
        if (level == matchers.length) {
            ends.add(to);
            return;
        }
        Matcher m = matchers[level];
        m.region(from, to);
        int pos = from;
        // Deeper levels reset the matchers below them only, so this matcher's state survives the recursion.
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            if (start == end) {
                continue;
            }
            if (start > pos) {
                split(matchers, level + 1, pos, start, ends);
            }
            split(matchers, level + 1, start, end, ends);
            pos = end;
        }
        if (pos < to) {
            split(matchers, level + 1, pos, to, ends);
        }
    }
}
