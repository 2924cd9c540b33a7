package io.bolmo4j.chat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=..., sort_keys=...)}, the {@code tojson} filter of
 * Hugging Face's chat templates: {@code ", "} and {@code ": "} separators (or {@code ","} and newlines when
 * indenting), non-ASCII text unescaped.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object x, Integer indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        write(x, indent, sortKeys, 0, sb);
        return sb.toString();
    }

    private static void write(Object x, Integer indent, boolean sortKeys, int depth, StringBuilder sb) {
        if (x == null) {
            sb.append("null");
        } else if (x instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (x instanceof Double || x instanceof Float) {
            sb.append(pythonFloat(((Number) x).doubleValue()));
        } else if (x instanceof Number n) {
            sb.append(n.longValue());
        } else if (x instanceof Map<?, ?> m) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            sb.append('{');
            for (int i = 0; i < entries.size(); i++) {
                separator(i, indent, depth + 1, sb);
                string(String.valueOf(entries.get(i).getKey()), sb);
                sb.append(": ");
                write(entries.get(i).getValue(), indent, sortKeys, depth + 1, sb);
            }
            close(entries.isEmpty(), indent, depth, sb);
            sb.append('}');
        } else if (x instanceof Iterable<?> list) {
            sb.append('[');
            int i = 0;
            for (Object o : list) {
                separator(i++, indent, depth + 1, sb);
                write(o, indent, sortKeys, depth + 1, sb);
            }
            close(i == 0, indent, depth, sb);
            sb.append(']');
        } else {
            string(x.toString(), sb);
        }
    }

    private static void separator(int i, Integer indent, int depth, StringBuilder sb) {
        if (indent == null) {
            sb.append(i == 0 ? "" : ", ");
        } else {
            sb.append(i == 0 ? "\n" : ",\n").append(" ".repeat(indent * depth));
        }
    }

    private static void close(boolean empty, Integer indent, int depth, StringBuilder sb) {
        if (indent != null && !empty) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Python's {@code repr(float)}: {@code 1.0}, {@code 0.5}, {@code 1e-05}, {@code 1e+16}, {@code NaN}, {@code Infinity}. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        BigDecimal v = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = v.precision() - v.scale() - 1; // position of the leading digit
        if (exponent < -4 || exponent >= 16) {
            String digits = v.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        String plain = v.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
