package io.bolmo4j.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Python {@code str} methods and the {@code trim} filter that Hugging Face chat templates call, with Python's
 * semantics (whitespace is what {@code str.isspace} accepts, which Java's {@code strip} does not fully match).
 */
final class PythonStrings {
    private PythonStrings() {}

    /** Python's {@code str.isspace} for one char: Unicode whitespace, no-break spaces and U+001C..U+001F included. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** {@code s.strip(chars)}; {@code chars == null} strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int from = 0, to = s.length();
        while (left && from < to && stripped(s.charAt(from), chars)) {
            from++;
        }
        while (right && to > from && stripped(s.charAt(to - 1), chars)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** {@code s.split(sep, maxsplit)}; {@code sep == null} splits on whitespace runs and drops empty ends. */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == n) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        for (int at; (maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0; from = at + sep.length()) {
            out.add(s.substring(from, at));
        }
        out.add(s.substring(from));
        return out;
    }

    /** {@code s.title()}: the first letter of every run of letters upper case, the rest lower case. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(inWord ? Character.toLowerCase(c) : Character.toTitleCase(c));
            inWord = Character.isLetter(c);
        }
        return sb.toString();
    }

    /** {@code s.capitalize()}: the first character upper case, the rest lower case. */
    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toTitleCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    /** {@code s.replace(old, new, count)}; {@code count < 0} replaces all. */
    static String replace(String s, String old, String with, int count) {
        if (count < 0) {
            return s.replace(old, with);
        }
        if (old.isEmpty()) {
            throw new IllegalArgumentException("replace('', ..., count) is not supported");
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int at; count > 0 && (at = s.indexOf(old, from)) >= 0; count--) {
            sb.append(s, from, at).append(with);
            from = at + old.length();
        }
        return sb.append(s, from, s.length()).toString();
    }
}
