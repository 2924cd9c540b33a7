package io.bolmo4j.kernel.exec;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Evaluates Java cells with an in-process JShell: a cell is split into snippets, each is evaluated in order, and the
 * raw value of a final expression is returned for rendering. Errors come back as {@link CellException}s whose
 * tracebacks point at lines of the cell. JShell is not thread-safe, so everything except {@link #interrupt()} is
 * serialised on one lock.
 */
public final class JShellEvaluator implements AutoCloseable {
    /** Returned by {@link #eval} when the cell ends with a statement or declaration (nothing to display). */
    public static final Object NO_VALUE = new Object();

    private final CellExecutionControl control;
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final Object lock = new Object();
    /** Snippet id -> where it started: execution count and line of the cell. */
    private final Map<String, int[]> origins = new HashMap<>();

    /**
     * @param classpath entries compiled against and loadable by snippets (usually this JVM's class path)
     * @param imports   import statements evaluated at start; ones that do not resolve are skipped
     */
    public JShellEvaluator(List<String> classpath, List<String> imports) {
        CellExecutionControl.Provider provider = new CellExecutionControl.Provider();
        control = provider.control;
        // Never pass --class-path as a compiler option: it silently replaces what addToClasspath adds.
        shell = JShell.builder().executionEngine(provider, Map.of()).build();
        analysis = shell.sourceCodeAnalysis();
        for (String entry : classpath) {
            if (!entry.isBlank()) {
                shell.addToClasspath(entry);
            }
        }
        for (String imp : imports) {
            shell.eval(imp);
        }
    }

    /** The class path of this JVM, as entries. */
    public static List<String> jvmClasspath() {
        return List.of(System.getProperty("java.class.path", "").split(File.pathSeparator));
    }

    /** Adds a jar or directory for later cells. */
    public void addToClasspath(String path) {
        synchronized (lock) {
            shell.addToClasspath(path);
        }
    }

    /**
     * Evaluates a cell.
     *
     * @param executionCount the cell's number, used in traceback lines
     * @return the value of a final expression (may be null), or {@link #NO_VALUE}
     * @throws CellException on a compile error or an exception thrown by the cell
     */
    public Object eval(String cell, int executionCount) {
        synchronized (lock) {
            Object result = NO_VALUE;
            for (Part part : split(cell)) {
                result = evalSnippet(part, cell, executionCount);
            }
            return result;
        }
    }

    /**
     * Runs code between cells as a cell would run (a widget's callback): interruptible, {@code System.exit} refused,
     * the callback's class loader as context loader.
     *
     * @throws CellException when it throws or is interrupted, its traceback in cell lines
     */
    public void run(Runnable callback) {
        Throwable t = control.onCellThread(callback::run, callback.getClass().getClassLoader());
        if (t != null) {
            throw runtimeError(null, t);
        }
    }

    private Object evalSnippet(Part part, String cell, int count) {
        List<SnippetEvent> events = shell.eval(part.source);
        Object result = NO_VALUE;
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            Snippet s = e.snippet();
            origins.put(s.id(), new int[] {count, part.line});
            if (e.status() == Snippet.Status.REJECTED || e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                throw compileError(s, part, cell);
            }
            Throwable real = control.takeThrowable();
            if (e.exception() != null || real != null) {
                throw runtimeError(e.exception(), real);
            }
            Object value = control.takeValue();
            boolean isExpression = s.kind() == Snippet.Kind.EXPRESSION
                    || s.kind() == Snippet.Kind.VAR && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
            result = isExpression ? value : NO_VALUE;
        }
        return result;
    }

    private CellException compileError(Snippet s, Part part, String cell) {
        List<Diag> diags = shell.diagnostics(s).filter(Diag::isError).collect(Collectors.toList());
        List<String> lines = new ArrayList<>();
        String message;
        if (diags.isEmpty()) {
            message = s instanceof DeclarationSnippet d
                    ? "cannot resolve " + String.join(", ", shell.unresolvedDependencies(d).collect(Collectors.toList()))
                    : "the snippet was rejected";
            lines.add(message);
        } else {
            message = diags.get(0).getMessage(Locale.ROOT).lines().findFirst().orElse("").strip();
            for (Diag d : diags) {
                int at = part.offset + (int) Math.max(0, Math.min(d.getStartPosition(), part.source.length()));
                int end = part.offset + (int) Math.max(0, Math.min(Math.max(d.getEndPosition(), d.getStartPosition() + 1), part.source.length()));
                int lineStart = cell.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
                if (at < cell.length() && cell.charAt(at) == '\n') {
                    lineStart = cell.lastIndexOf('\n', at - 1) + 1;
                }
                int lineEnd = cell.indexOf('\n', lineStart);
                lineEnd = lineEnd < 0 ? cell.length() : lineEnd;
                int lineNo = (int) cell.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
                List<String> msg = d.getMessage(Locale.ROOT).lines().collect(Collectors.toList());
                lines.add("line " + lineNo + ": " + (msg.isEmpty() ? "" : msg.get(0)));
                lines.add(cell.substring(lineStart, lineEnd));
                int caretEnd = Math.max(at + 1, Math.min(end, lineEnd));
                lines.add(" ".repeat(Math.max(0, at - lineStart)) + "^".repeat(Math.max(1, caretEnd - at)));
                msg.stream().skip(1).filter(m -> !m.isBlank() && !m.strip().equals("location: class")).forEach(m -> lines.add("    " + m.strip()));
            }
        }
        return new CellException("CompilationException", message, lines, null);
    }

    private CellException runtimeError(JShellException shown, Throwable real) {
        if (real instanceof CellInterruptedException) {
            return new CellException("InterruptedException", real.getMessage(), List.of("InterruptedException: " + real.getMessage()), real);
        }
        if (shown instanceof UnresolvedReferenceException u) {
            String msg = "cannot use " + u.getSnippet().id() + ": it refers to undefined "
                    + String.join(", ", shell.unresolvedDependencies(u.getSnippet()).collect(Collectors.toList()));
            return new CellException("UnresolvedReferenceException", msg, List.of(msg), null);
        }
        String className = real != null ? real.getClass().getName()
                : shown instanceof EvalException ev ? ev.getExceptionClassName() : "Exception";
        String ename = className.substring(className.lastIndexOf('.') + 1);
        String message = real != null ? real.getMessage() : shown.getMessage();
        List<String> lines = new ArrayList<>();
        lines.add(className + (message == null ? "" : ": " + message));
        StackTraceElement[] frames = shown != null ? shown.getStackTrace() : real.getStackTrace();
        int kept = 0;
        for (StackTraceElement f : frames) {
            if (f.getClassName().startsWith("jdk.internal.reflect") || f.getClassName().startsWith("java.lang.reflect")
                    || f.getClassName().startsWith(CellExecutionControl.class.getName())) {
                break;
            }
            if (f.getClassName().equals(ExitGuard.class.getName()) || f.getClassName().equals("java.lang.Runtime")
                    || f.getClassName().equals("java.lang.System")) {
                continue; // the refused System.exit: the cell's own frame follows
            }
            String file = f.getFileName();
            int[] origin = file != null && file.startsWith("#") ? origins.get(file.substring(1)) : null;
            if (origin != null) {
                lines.add("\tat cell [" + origin[0] + "] line " + (origin[1] + Math.max(1, f.getLineNumber()) - 1));
            } else if (file == null || !file.startsWith("#")) {
                lines.add("\tat " + f);
            }
            if (++kept == 12) {
                lines.add("\t...");
                break;
            }
        }
        for (Throwable c = real == null ? null : real.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            lines.add("Caused by: " + c);
        }
        return new CellException(ename, message == null ? "" : message, lines, real);
    }

    /** Splits a cell into snippet sources with their offset and line in the cell. */
    List<Part> split(String cell) {
        List<Part> parts = new ArrayList<>();
        int pos = 0;
        while (pos < cell.length()) {
            int start = pos;
            while (start < cell.length() && Character.isWhitespace(cell.charAt(start))) {
                start++;
            }
            // analysed from its first character, so diagnostic positions are relative to `start`
            String rest = cell.substring(start);
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            int line = (int) cell.substring(0, start).chars().filter(c -> c == '\n').count() + 1;
            if (!info.completeness().isComplete()) {
                parts.add(new Part(rest.strip(), start, line));
                break;
            }
            parts.add(new Part(info.source(), start, line));
            pos = cell.length() - info.remaining().length();
        }
        return parts;
    }

    /** One snippet of a cell. */
    record Part(String source, int offset, int line) {}

    /** A variable of the session: its name, declared type and a one-line summary of its value. */
    public record Variable(String name, String type, String value) {}

    /** The session's variables in declaration order (not the temporary {@code $N} ones of expression cells). */
    public List<Variable> variables() {
        synchronized (lock) {
            List<Variable> out = new ArrayList<>();
            shell.variables().filter(v -> !v.name().startsWith("$")).forEach(v -> {
                String value;
                try {
                    value = shell.varValue(v);
                } catch (IllegalStateException e) {
                    value = "(not initialised)";
                }
                out.add(new Variable(v.name(), v.typeName(), value));
            });
            return out;
        }
    }

    /** Completion candidates and the cell range they replace. */
    public record Completion(List<String> matches, int start, int end) {}

    /** Completes the code at {@code cursor}. */
    public Completion complete(String code, int cursor) {
        synchronized (lock) {
            Part part = partAt(code, cursor);
            int local = Math.min(part.source.length(), cursor - part.offset);
            int[] anchor = new int[1];
            List<SourceCodeAnalysis.Suggestion> s = analysis.completionSuggestions(part.source, local, anchor);
            List<String> matches = s.stream().filter(SourceCodeAnalysis.Suggestion::matchesType).map(SourceCodeAnalysis.Suggestion::continuation)
                    .distinct().collect(Collectors.toList());
            if (matches.isEmpty()) {
                matches = s.stream().map(SourceCodeAnalysis.Suggestion::continuation).distinct().collect(Collectors.toList());
            }
            return new Completion(matches, part.offset + anchor[0], cursor);
        }
    }

    /** Signatures and javadoc of what is at {@code cursor}, or null when nothing is known there. */
    public String documentation(String code, int cursor, boolean detail) {
        synchronized (lock) {
            Part part = partAt(code, cursor);
            int local = Math.min(part.source.length(), cursor - part.offset);
            List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(part.source, local, true);
            if (docs.isEmpty() && local == part.source.length() && part.source.matches("(?s).*[\\w$]$")) {
                // a method name without its parenthesis: document the method as if the call had begun
                docs = analysis.documentation(part.source + "(", local + 1, true);
            }
            if (docs.isEmpty()) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            for (SourceCodeAnalysis.Documentation d : docs) {
                sb.append(d.signature()).append('\n');
                if (d.javadoc() != null && !d.javadoc().isBlank()) {
                    sb.append(detail ? d.javadoc() : firstSentence(d.javadoc())).append("\n\n");
                }
            }
            return sb.toString().strip();
        }
    }

    private static String firstSentence(String javadoc) {
        int dot = javadoc.indexOf(". ");
        return dot < 0 ? javadoc.strip() : javadoc.substring(0, dot + 1);
    }

    private Part partAt(String code, int cursor) {
        List<Part> parts = split(code.substring(0, Math.min(cursor, code.length())));
        if (parts.isEmpty()) {
            return new Part(code.substring(0, Math.min(cursor, code.length())), 0, 1);
        }
        Part last = parts.get(parts.size() - 1);
        // completion works on the text up to the cursor of the snippet being typed
        return new Part(code.substring(last.offset, Math.min(cursor, code.length())), last.offset, last.line);
    }

    /**
     * Jupyter's is_complete: {@code "complete"}, {@code "invalid"} (does not parse), or the indent to continue an
     * incomplete statement with.
     */
    public String isComplete(String code) {
        synchronized (lock) {
            String rest = code;
            while (true) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
                switch (info.completeness()) {
                    case EMPTY:
                        return "complete";
                    case DEFINITELY_INCOMPLETE:
                    case CONSIDERED_INCOMPLETE:
                        return closedParseFails(rest) ? "invalid" : "    ";
                    case UNKNOWN:
                        return "invalid";
                    default:
                        if (parsesAsErroneous(info.source())) {
                            return "invalid";
                        }
                        if (info.remaining().isBlank()) {
                            return "complete";
                        }
                        rest = info.remaining();
                }
            }
        }
    }

    /**
     * Whether code with open braces is wrong whatever follows: closing its braces must give something that parses
     * ({@code "class {"} cannot be completed, {@code "for (...) {"} can).
     */
    private boolean closedParseFails(String code) {
        int depth = openBraces(code);
        if (depth <= 0) {
            return false;
        }
        String closed = code + "\n}".repeat(depth);
        SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(closed);
        return info.completeness().isComplete() && info.remaining().isBlank() && parsesAsErroneous(info.source());
    }

    /** Unclosed '{' outside string/char literals and comments. */
    static int openBraces(String code) {
        int depth = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '"' || c == '\'') {
                for (i++; i < code.length() && code.charAt(i) != c; i++) {
                    if (code.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (code.startsWith("//", i)) {
                i = code.indexOf('\n', i) < 0 ? code.length() : code.indexOf('\n', i);
            } else if (code.startsWith("/*", i)) {
                i = code.indexOf("*/", i + 2) < 0 ? code.length() : code.indexOf("*/", i + 2) + 1;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
        }
        return depth;
    }

    private boolean parsesAsErroneous(String source) {
        return analysis.sourceToSnippets(source).stream().anyMatch(s -> s.kind() == Snippet.Kind.ERRONEOUS);
    }

    /** Stops the running cell (outside the lock: the lock is held by the cell being stopped). */
    public void interrupt() {
        shell.stop();
    }

    @Override
    public void close() {
        shell.close();
    }
}
