package io.bolmo4j.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the two pieces of jinja2 expression syntax that Jinjava parses otherwise, into forms it evaluates as jinja2
 * does, before a template is handed to it:
 * <ul>
 *   <li>a keyword argument's value is a whole expression in jinja2 ({@code namespace(i=messages|length - 1)}, as in
 *       Qwen 3's template), while Jinjava binds {@code i=messages|length} first: the value is put in parentheses;</li>
 *   <li>a slice with a step ({@code messages[::-1]}) is a syntax error for Jinjava: it becomes
 *       {@code py_slice(messages, null, null, -1)} ({@link JinjaEngine#pySlice}).</li>
 * </ul>
 * Only the text inside {@code {{ }}} and {@code {% %}} is touched; strings, comments and raw blocks stay as written.
 *
 * <p>It also applies jinja2's {@code lstrip_blocks} here, because Jinjava's own option strips the spaces and tabs
 * before every block tag: jinja2 strips them only when they are all the line holds before a block or comment tag
 * ({@code [assistant] {% endif %}} keeps its space), and not before a tag opened with a plus ({@code {%+ if x %}}).
 */
final class Jinja2Syntax {
    private static final Pattern KEYWORD = Pattern.compile("^(\\s*[A-Za-z_][A-Za-z_0-9]*\\s*=)(?!=)(.*)$", Pattern.DOTALL);
    private static final Pattern RAW = Pattern.compile("\\{%[-+]?\\s*raw\\s*[-+]?%}.*?\\{%[-+]?\\s*endraw\\s*[-+]?%}", Pattern.DOTALL);

    private Jinja2Syntax() {}

    /** The template with every tag's expression rewritten and the line indentation of block and comment tags stripped. */
    static String rewrite(String source) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            int open = source.indexOf('{', i);
            if (open < 0 || open + 1 >= source.length()) {
                out.append(source, i, source.length());
                break;
            }
            char kind = source.charAt(open + 1);
            out.append(source, i, open);
            int body = open + 2; // where the tag's own text starts
            if (kind == '%' || kind == '#') {
                if (source.startsWith("+", body)) {
                    body++; // {%+ keeps the indentation; Jinjava does not read the +
                } else {
                    lstrip(out);
                }
            }
            Matcher raw = RAW.matcher(source).region(open, source.length());
            if (kind == '%' && raw.lookingAt()) {
                out.append(source, open, open + 2).append(source, body, raw.end());
                i = raw.end();
            } else if (kind == '#') {
                int end = source.indexOf("#}", body);
                end = end < 0 ? source.length() : end + 2;
                out.append(source, open, open + 2).append(source, body, end);
                i = end;
            } else if (kind == '{' || kind == '%') {
                int end = closing(source, body, kind == '{' ? "}}" : "%}");
                out.append(source, open, open + 2).append(expression(source.substring(body, end)));
                i = end;
            } else {
                out.append('{');
                i = open + 1;
            }
        }
        return out.toString();
    }

    /**
     * jinja2's {@code lstrip_blocks} before a block or comment tag: drops the spaces and tabs that end {@code out} when
     * nothing else precedes them on their line.
     */
    private static void lstrip(StringBuilder out) {
        int start = out.length();
        while (start > 0 && (out.charAt(start - 1) == ' ' || out.charAt(start - 1) == '\t')) {
            start--;
        }
        if (start == 0 || out.charAt(start - 1) == '\n') {
            out.setLength(start);
        }
    }

    /** Where the tag that starts before {@code from} ends ({@code close} outside string literals), or the end. */
    private static int closing(String s, int from, String close) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i) - 1;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return s.length();
    }

    /** The index after the string literal that starts at {@code at}. */
    private static int stringEnd(String s, int at) {
        char q = s.charAt(at);
        for (int i = at + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == q) {
                return i + 1;
            }
        }
        return s.length();
    }

    /** Rewrites an expression: calls' keyword arguments and stepped slices, inside out. */
    static String expression(String e) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end);
                i = end;
            } else if (c == '(' || c == '[') {
                int end = matching(e, i);
                if (end < 0) { // unbalanced: left for Jinjava to report
                    out.append(e, i, e.length());
                    break;
                }
                String inner = expression(e.substring(i + 1, end - 1));
                boolean postfix = out.length() > 0 && isPostfixEnd(out.charAt(out.length() - 1));
                List<String> parts = split(inner, c == '(' ? ',' : ':');
                if (c == '(' && postfix) {
                    out.append('(').append(String.join(",", parts.stream().map(Jinja2Syntax::keywordValue).toList())).append(')');
                } else if (c == '[' && postfix && parts.size() == 3) {
                    int base = postfixStart(out);
                    String target = out.substring(base);
                    out.setLength(base);
                    out.append("py_slice(").append(target);
                    for (String p : parts) {
                        out.append(", ").append(p.isBlank() ? "null" : p.strip());
                    }
                    out.append(')');
                } else {
                    out.append(c).append(inner).append(e.charAt(end - 1));
                }
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** {@code name=value} → {@code name=(value)}; other arguments unchanged. */
    private static String keywordValue(String arg) {
        Matcher m = KEYWORD.matcher(arg);
        return m.matches() && !m.group(2).isBlank() ? m.group(1) + "(" + m.group(2) + ")" : arg;
    }

    /** The index after the bracket that closes the one at {@code at} (strings and nesting respected), or -1. */
    private static int matching(String e, int at) {
        int depth = 0;
        for (int i = at; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(e, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** {@code s} split at top-level {@code sep} (outside strings and brackets). */
    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** A character that can end an expression a call or subscript applies to: a name, a closing bracket, a string. */
    private static boolean isPostfixEnd(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ')' || c == ']' || c == '\'' || c == '"';
    }

    /** Where the postfix expression (names, attributes, calls, subscripts) that ends {@code out} starts. */
    private static int postfixStart(StringBuilder out) {
        int i = out.length() - 1;
        while (i >= 0) {
            char c = out.charAt(i);
            if (c == ')' || c == ']') {
                int depth = 0;
                for (; i >= 0; i--) {
                    char d = out.charAt(i);
                    depth += d == ')' || d == ']' ? 1 : d == '(' || d == '[' ? -1 : 0;
                    if (depth == 0) {
                        break;
                    }
                }
                i--;
            } else if (c == '\'' || c == '"') {
                int open = out.lastIndexOf(String.valueOf(c), i - 1);
                while (open > 0 && out.charAt(open - 1) == '\\') {
                    open = out.lastIndexOf(String.valueOf(c), open - 2);
                }
                i = open - 1;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                i--;
            } else {
                break;
            }
        }
        return i + 1;
    }
}
