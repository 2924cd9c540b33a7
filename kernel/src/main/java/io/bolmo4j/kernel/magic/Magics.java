package io.bolmo4j.kernel.magic;

import io.bolmo4j.kernel.exec.JShellEvaluator.Completion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Line magics ({@code %name args} on a line of their own) and cell magics ({@code %%name args} as the first line,
 * applying to the rest of the cell), IPython-style.
 */
public final class Magics {
    /** Runs cell code (with magics) for magics that evaluate code, e.g. {@code %time}. */
    @FunctionalInterface
    public interface Evaluator {
        Object eval(String code);
    }

    /** A line magic: returns a value to display, or {@link io.bolmo4j.kernel.exec.JShellEvaluator#NO_VALUE}. */
    @FunctionalInterface
    public interface LineMagic {
        Object run(String args, Evaluator eval);
    }

    /** A cell magic. */
    @FunctionalInterface
    public interface CellMagic {
        Object run(String args, String body, Evaluator eval);
    }

    /** Completes a magic's arguments: candidates for the argument text before the cursor, positions within it. */
    @FunctionalInterface
    public interface ArgumentCompleter {
        Completion complete(String args);
    }

    /** Java code completion: candidates at {@code cursor} of {@code code}. */
    @FunctionalInterface
    public interface CodeCompleter {
        Completion complete(String code, int cursor);
    }

    private final Map<String, LineMagic> line = new TreeMap<>();
    private final Map<String, CellMagic> cell = new TreeMap<>();
    private final Map<String, ArgumentCompleter> lineArgs = new TreeMap<>();
    private final Map<String, ArgumentCompleter> cellArgs = new TreeMap<>();

    /** Registers a line magic. */
    public Magics line(String name, LineMagic magic) {
        line.put(name, magic);
        return this;
    }

    /** Registers a line magic whose arguments {@code completer} completes. */
    public Magics line(String name, LineMagic magic, ArgumentCompleter completer) {
        lineArgs.put(name, completer);
        return line(name, magic);
    }

    /** Registers a cell magic. */
    public Magics cell(String name, CellMagic magic) {
        cell.put(name, magic);
        return this;
    }

    /** Registers a cell magic whose arguments (on its first line) {@code completer} completes. */
    public Magics cell(String name, CellMagic magic, ArgumentCompleter completer) {
        cellArgs.put(name, completer);
        return cell(name, magic);
    }

    /**
     * Completes at {@code cursor}: a magic's name or arguments on a magic line, else Java with {@code java} (magic lines
     * blanked out, so JShell sees only the code).
     */
    public Completion complete(String code, int cursor, CodeCompleter java) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, cursor - 1)) + 1;
        lineStart = cursor == 0 ? 0 : lineStart;
        String before = code.substring(lineStart, cursor);
        String typed = before.stripLeading();
        int at = lineStart + before.length() - typed.length();
        if (typed.startsWith("%%") && code.substring(0, lineStart).isBlank()) {
            return completeMagic(cell.keySet(), cellArgs, typed.substring(2), at + 2, cursor);
        }
        if (typed.startsWith("%") && !typed.startsWith("%%")) {
            return completeMagic(line.keySet(), lineArgs, typed.substring(1), at + 1, cursor);
        }
        return java.complete(maskMagics(code), cursor);
    }

    private static Completion completeMagic(Iterable<String> names, Map<String, ArgumentCompleter> completers, String typed, int at, int cursor) {
        int space = typed.indexOf(' ');
        if (space < 0) {
            List<String> matches = new ArrayList<>();
            names.forEach(n -> {
                if (n.startsWith(typed)) {
                    matches.add(n);
                }
            });
            return new Completion(matches, at, cursor);
        }
        ArgumentCompleter completer = completers.get(typed.substring(0, space));
        if (completer == null) {
            return new Completion(List.of(), cursor, cursor);
        }
        int argsAt = space;
        while (argsAt < typed.length() && typed.charAt(argsAt) == ' ') {
            argsAt++;
        }
        Completion c = completer.complete(typed.substring(argsAt));
        return new Completion(c.matches(), at + argsAt + c.start(), at + argsAt + c.end());
    }

    /** The code with magic lines (and a leading cell magic line) turned into spaces, keeping every offset. */
    static String maskMagics(String code) {
        StringBuilder sb = new StringBuilder(code.length());
        boolean first = true;
        for (String l : code.split("\n", -1)) {
            String s = l.strip();
            boolean magic = s.startsWith("%") && (!s.startsWith("%%") || first);
            sb.append(magic ? " ".repeat(l.length()) : l).append('\n');
            first &= s.isEmpty();
        }
        return sb.substring(0, code.length());
    }

    /** Names of the line magics. */
    public List<String> lineNames() {
        return List.copyOf(line.keySet());
    }

    /** Names of the cell magics. */
    public List<String> cellNames() {
        return List.copyOf(cell.keySet());
    }

    LineMagic lineMagic(String name) {
        LineMagic m = line.get(name);
        if (m == null) {
            throw new MagicException("unknown line magic %" + name + " (see %lsmagic)");
        }
        return m;
    }

    /**
     * Runs a cell: a leading {@code %%magic} takes the whole cell; otherwise code between magic lines is evaluated
     * in order with {@code code}, and the value of the last part is returned.
     */
    public Object run(String source, Evaluator code, Object noValue) {
        String trimmed = source.stripLeading();
        if (trimmed.startsWith("%%")) {
            int nl = trimmed.indexOf('\n');
            String head = (nl < 0 ? trimmed : trimmed.substring(0, nl)).substring(2).strip();
            String body = nl < 0 ? "" : trimmed.substring(nl + 1);
            String name = head.split("\\s+", 2)[0];
            CellMagic m = cell.get(name);
            if (m == null) {
                throw new MagicException("unknown cell magic %%" + name + " (see %lsmagic)");
            }
            return m.run(head.substring(name.length()).strip(), body, c -> run(c, code, noValue));
        }
        Object result = noValue;
        String[] lines = source.split("\n", -1);
        int chunkStart = 0;
        for (int i = 0; i <= lines.length; i++) {
            String s = i < lines.length ? lines[i].strip() : "";
            boolean magic = i < lines.length && s.startsWith("%") && !s.startsWith("%%");
            if (magic || i == lines.length) {
                String chunk = String.join("\n", Arrays.asList(lines).subList(chunkStart, i));
                if (!chunk.isBlank()) {
                    // leading newlines keep the chunk's lines numbered as in the cell
                    result = code.eval("\n".repeat(chunkStart) + chunk);
                }
                chunkStart = i + 1;
            }
            if (magic) {
                String name = s.substring(1).split("\\s+", 2)[0];
                result = lineMagic(name).run(s.substring(1 + name.length()).strip(), c -> run(c, code, noValue));
            }
        }
        return result;
    }

    /** A magic used wrongly. */
    public static final class MagicException extends RuntimeException {
        public MagicException(String message) {
            super(message);
        }
    }
}
