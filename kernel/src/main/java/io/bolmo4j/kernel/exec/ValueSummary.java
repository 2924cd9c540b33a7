package io.bolmo4j.kernel.exec;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;

/** One short line for a value, as variable listings show it: never a whole large collection, string or table. */
final class ValueSummary {
    static final int MAX = 80;
    private static final int ELEMENTS = 5;

    private ValueSummary() {}

    static String of(Object v) {
        try {
            if (v == null) {
                return "null";
            }
            if (v instanceof CharSequence s) {
                return cut("\"" + s.toString().replace("\n", "\\n") + "\"") + (s.length() > MAX ? " (" + s.length() + " chars)" : "");
            }
            if (v.getClass().isArray()) {
                int n = Array.getLength(v);
                StringJoiner j = new StringJoiner(", ", "[", n > ELEMENTS ? ", …]" : "]");
                for (int i = 0; i < Math.min(n, ELEMENTS); i++) {
                    j.add(String.valueOf(Array.get(v, i)));
                }
                return cut(j.toString()) + " (length " + n + ")";
            }
            if (v instanceof Collection<?> c) {
                return cut(first(c.iterator(), c.size(), "[", "]")) + " (" + c.size() + " elements)";
            }
            if (v instanceof Map<?, ?> m) {
                return cut(first(m.entrySet().iterator(), m.size(), "{", "}")) + " (" + m.size() + " entries)";
            }
            String text = String.valueOf(v).strip();
            int nl = text.indexOf('\n');
            return cut(nl < 0 ? text : text.substring(0, nl).strip() + " …");
        } catch (RuntimeException | StackOverflowError e) {
            return "(" + v.getClass().getSimpleName() + ": toString failed with " + e.getClass().getSimpleName() + ")";
        }
    }

    private static String first(Iterator<?> it, int size, String open, String close) {
        StringJoiner j = new StringJoiner(", ", open, size > ELEMENTS ? ", …" + close : close);
        for (int i = 0; i < ELEMENTS && it.hasNext(); i++) {
            j.add(String.valueOf(it.next()));
        }
        return j.toString();
    }

    private static String cut(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX - 1) + "…";
    }
}
