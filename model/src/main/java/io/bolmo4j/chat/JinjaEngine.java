package io.bolmo4j.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.collections.PyList;
import com.hubspot.jinjava.objects.collections.PyMap;
import jinjava.javax.el.CompositeELResolver;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Jinjava set up as Hugging Face's {@code apply_chat_template} sets up Python jinja2: {@code trim_blocks},
 * {@code lstrip_blocks}, {@code raise_exception(message)} and {@code strftime_now(format)} globals, jinja2's
 * expression syntax where Jinjava's differs ({@link Jinja2Syntax}), a {@code tojson} filter that is
 * {@code json.dumps} without ASCII escaping, and Python string semantics where Jinjava's differ ({@code trim},
 * {@code str} methods, the template's trailing newline).
 */
final class JinjaEngine {
    private JinjaEngine() {}

    /** Raised by a template's {@code raise_exception(message)}. */
    static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Raised(String message) {
            super(message);
        }
    }

    /** Called by templates as {@code raise_exception(message)}. */
    public static String raiseException(Object message) {
        throw new Raised(String.valueOf(message));
    }

    /**
     * Renders {@code source} with {@code variables}.
     *
     * @throws IllegalArgumentException with the template's own message when it raises or fails to parse
     */
    static String render(String source, Map<String, Object> variables) {
        Map<String, Object> python = new HashMap<>();
        variables.forEach((k, v) -> python.put(k, asPython(v)));
        RenderResult r = JINJAVA.renderForResult(asJinja2Reads(source), python);
        for (TemplateError e : r.getErrors()) {
            Throwable cause = e.getException();
            while (cause != null && !(cause instanceof Raised)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                throw new IllegalArgumentException("the template raised an exception: " + cause.getMessage());
            }
        }
        for (TemplateError e : r.getErrors()) {
            // Jinjava only warns about some syntax errors (a stray end tag) that jinja2 refuses to compile
            if (e.getSeverity() == TemplateError.ErrorType.FATAL || e.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR) {
                throw new IllegalArgumentException("template error at line " + e.getLineno() + ": " + e.getMessage());
            }
        }
        return r.getOutput();
    }

    /**
     * Nested maps and lists as Jinjava's Python-like dicts and lists, so that templates can call {@code .items()},
     * {@code .get(key, default)} or {@code .append(x)} on them as on Python's.
     */
    private static Object asPython(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), asPython(x)));
            return new PyMap(copy);
        }
        if (v instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(x -> copy.add(asPython(x)));
            return new PyList(copy);
        }
        return v;
    }

    /**
     * jinja2's lexer turns every newline into {@code \n} and drops one newline at the end of the template source
     * (Jinjava's own option drops one at the end of the output instead, also when a value printed it: kept off).
     */
    static String asJinja2Reads(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return Jinja2Syntax.rewrite(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
    }

    /**
     * {@code strftime_now(format)}, which {@code apply_chat_template} defines for templates that write today's date
     * (Llama 3.1 / 3.2): Python's {@code datetime.now().strftime(format)} for the usual directives, English names.
     */
    public static String strftimeNow(Object format) {
        LocalDateTime now = LocalDateTime.now();
        String f = String.valueOf(format);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%' || i + 1 == f.length()) {
                out.append(c);
                continue;
            }
            char d = f.charAt(++i);
            String pattern = switch (d) {
                case 'd' -> "dd";
                case 'm' -> "MM";
                case 'Y' -> "yyyy";
                case 'y' -> "yy";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'j' -> "DDD";
                case 'p' -> "a";
                default -> null;
            };
            out.append(pattern != null ? DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(now)
                    : d == '%' ? "%" : "%" + d);
        }
        return out.toString();
    }

    /**
     * {@code x[start:stop:step]} as Python slices a list or a string (of code points): absent bounds are null, negative
     * ones count from the end, a negative step walks backwards. Called for the slices {@link Jinja2Syntax} rewrites.
     */
    public static Object pySlice(Object x, Object start, Object stop, Object step) {
        List<?> items = x instanceof String s ? s.codePoints().mapToObj(Character::toString).toList()
                : x instanceof List<?> l ? l : null;
        if (items == null) {
            throw new IllegalArgumentException("cannot slice " + (x == null ? "none" : x.getClass().getSimpleName()));
        }
        int n = items.size();
        int by = step == null ? 1 : ((Number) step).intValue();
        if (by == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        int from = bound(start, n, by < 0 ? n - 1 : 0, by);
        int to = bound(stop, n, by < 0 ? -1 : n, by);
        List<Object> out = new ArrayList<>();
        for (int i = from; by > 0 ? i < to : i > to; i += by) {
            out.add(items.get(i));
        }
        return x instanceof String ? String.join("", out.stream().map(String::valueOf).toList()) : new PyList(out);
    }

    /** A slice bound clamped as Python's {@code PySlice_AdjustIndices} does. */
    private static int bound(Object v, int n, int absent, int step) {
        if (v == null) {
            return absent;
        }
        int i = ((Number) v).intValue();
        if (i < 0) {
            i += n;
            return i < 0 ? (step < 0 ? -1 : 0) : i;
        }
        return i >= n ? (step < 0 ? n - 1 : n) : i;
    }

    /**
     * Every Jinjava override towards jinja2's behaviour (whitespace control on expressions and comments, Python
     * reprs of lists, operator precedence, dict-literal keys) except "whitespace required within tokens", which
     * rejects jinja2's {@code {%-set x = 1%}} and makes Jinjava print a whole template unparsed.
     */
    private static final LegacyOverrides PYTHON_LIKE = LegacyOverrides.Builder.from(LegacyOverrides.ALL)
            .withWhitespaceRequiredWithinTokens(false).build();
    private static final Jinjava JINJAVA = create();

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false) // Jinja2Syntax strips as jinja2 does; Jinjava's own option strips mid-line too
                .withLegacyOverrides(PYTHON_LIKE)
                .withKeepTrailingNewline(true)
                .withInterperterFactory(new PythonPrinting())
                .withElResolver(resolver)
                .build();
        Jinjava j = new Jinjava(config);
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaEngine.class,
                "raiseException", Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaEngine.class,
                "strftimeNow", Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "py_slice", JinjaEngine.class,
                "pySlice", Object.class, Object.class, Object.class, Object.class));
        j.getGlobalContext().registerFilter(new ToJson());
        j.getGlobalContext().registerFilter(new Trim());
        Filter length = j.getGlobalContext().getFilter("length");
        j.getGlobalContext().registerFilter(new Length("length", length));
        j.getGlobalContext().registerFilter(new Length("count", length));
        return j;
    }

    /** Prints booleans as Python does ({@code True}, {@code False}), where Jinjava writes Java's {@code true}. */
    private static final class PythonPrinting implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new Interpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new Interpreter(application, context, renderConfig);
        }

        private static final class Interpreter extends JinjavaInterpreter {
            Interpreter(JinjavaInterpreter orig) {
                super(orig);
            }

            Interpreter(Jinjava application, Context context, JinjavaConfig renderConfig) {
                super(application, context, renderConfig);
            }

            @Override
            public String getAsString(Object value) {
                if (value instanceof Boolean b) {
                    return b ? "True" : "False";
                }
                return super.getAsString(value);
            }
        }
    }

    /** {@code x | tojson(indent=N, sort_keys=B)} as Python's json.dumps with ensure_ascii=False. */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            Object sort = kwargs.getOrDefault("sort_keys", false);
            return PythonJson.dumps(var, indent == null ? null : ((Number) indent).intValue(), Boolean.TRUE.equals(sort));
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonJson.dumps(var, null, false);
        }
    }

    /** {@code s | length} counts code points as Python's {@code len} does, not UTF-16 units; other values as Jinjava. */
    private record Length(String name, Filter jinjava) implements Filter {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var instanceof String s ? (Object) (long) s.codePointCount(0, s.length()) : jinjava.filter(var, interpreter, args);
        }
    }

    /** {@code s | trim(chars)}: Python's {@code str.strip}, not Java's trim of chars up to U+0020. */
    private static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonStrings.strip(Objects.toString(var), args.length > 0 ? args[0] : null, true, true);
        }
    }
}
