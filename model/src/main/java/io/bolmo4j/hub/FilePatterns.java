package io.bolmo4j.hub;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code --include} globs as huggingface_hub's {@code allow_patterns} read them (Python's fnmatch on the whole path):
 * {@code *} matches any characters including '/', {@code ?} one character, {@code [abc]} / {@code [!abc]} a set, and
 * a pattern ending in '/' means everything under that folder.
 */
final class FilePatterns {
    private FilePatterns() {}

    /** Paths matching any of {@code globs}; every path when there are none. */
    static Predicate<String> anyOf(List<String> globs) {
        if (globs.isEmpty()) {
            return p -> true;
        }
        List<Pattern> ps = globs.stream().map(FilePatterns::compile).toList();
        return path -> ps.stream().anyMatch(p -> p.matcher(path).matches());
    }

    static Pattern compile(String glob) {
        String g = glob.endsWith("/") ? glob + "*" : glob;
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            int close = c == '[' ? g.indexOf(']', i + 2) : -1;
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (close > 0) {
                String set = g.substring(i + 1, close);
                re.append('[').append(set.startsWith("!") ? "^" + quoteSet(set.substring(1)) : quoteSet(set)).append(']');
                i = close;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /** A set's characters with the regex-special ones escaped, ranges ({@code a-z}) kept. */
    private static String quoteSet(String set) {
        return set.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^").replace("&", "\\&");
    }
}
