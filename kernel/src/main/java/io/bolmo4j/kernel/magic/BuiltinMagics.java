package io.bolmo4j.kernel.magic;

import io.bolmo4j.kernel.deps.SessionClasspath;
import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.exec.JShellEvaluator;

import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The kernel's built-in magics: %lsmagic, %whos, %classpath, %time / %%time, %load, %env. */
public final class BuiltinMagics {
    private BuiltinMagics() {}

    /** Registers the built-ins on {@code magics} for {@code shell}; {@code %classpath} adds to {@code classpath}. */
    public static Magics install(Magics magics, JShellEvaluator shell, SessionClasspath classpath) {
        magics.line("lsmagic", (args, eval) -> Display.markdown("Line magics: " + join(magics.lineNames(), "%")
                + "\n\nCell magics: " + join(magics.cellNames(), "%%")));
        magics.line("whos", (args, eval) -> whos(shell, args.strip()),
                args -> Completers.words(args, shell.variables().stream().map(JShellEvaluator.Variable::type).distinct().toList()));
        magics.line("classpath", (args, eval) -> {
            if (args.isBlank()) {
                List<Path> added = classpath.entries();
                return Display.text(added.isEmpty() ? "(nothing added; the kernel's own class path is always available)"
                        : added.stream().map(Path::toString).collect(Collectors.joining("\n")));
            }
            List<Path> paths = expand(args);
            SessionClasspath.Added added = classpath.add(paths);
            added.imports().forEach(eval::eval);
            return Display.text("added " + paths.size() + " class path entr" + (paths.size() == 1 ? "y" : "ies") + extras(added));
        }, Completers::path);
        magics.line("time", (args, eval) -> timed(() -> eval.eval(args)), args -> shell.complete(args, args.length()));
        magics.cell("time", (args, body, eval) -> timed(() -> eval.eval(body)));
        magics.line("load", (args, eval) -> {
            Path file = Path.of(unquote(args));
            if (!Files.isRegularFile(file)) {
                throw new Magics.MagicException("%load: no such file: " + file.toAbsolutePath());
            }
            try {
                return eval.eval(Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Completers::path);
        magics.line("env", (args, eval) -> env(args), args -> Completers.words(args, System.getenv().keySet()));
        return magics;
    }

    /**
     * IPython's {@code %whos}, Kotlin's {@code :vars}: the session's variables as a table of name, declared type and a
     * one-line value; {@code %whos TYPE} lists those of one type.
     */
    static Object whos(JShellEvaluator shell, String type) {
        List<JShellEvaluator.Variable> vars = shell.variables().stream().filter(v -> type.isEmpty() || v.type().equals(type)).toList();
        if (vars.isEmpty()) {
            return Display.text(type.isEmpty() ? "no variables defined" : "no variables of type " + type);
        }
        return Table.create("variables", StringColumn.create("name", vars.stream().map(JShellEvaluator.Variable::name)),
                StringColumn.create("type", vars.stream().map(JShellEvaluator.Variable::type)),
                StringColumn.create("value", vars.stream().map(JShellEvaluator.Variable::value)));
    }

    /** What new class path entries brought besides classes: display renderers, imports of kernel extensions. */
    static String extras(SessionClasspath.Added added) {
        return (added.renderers() > 0 ? ", " + added.renderers() + " display renderer(s)" : "")
                + (added.imports().isEmpty() ? "" : ", " + added.imports().size() + " import(s) from kernel extensions");
    }

    private static String join(List<String> names, String prefix) {
        return names.stream().map(n -> "`" + prefix + n + "`").collect(Collectors.joining(", "));
    }

    private static Object timed(Supplier<Object> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.println(ms < 1000 ? String.format(Locale.ROOT, "Wall time: %.1f ms", ms)
                    : String.format(Locale.ROOT, "Wall time: %.2f s", ms / 1000));
        }
    }

    /** Paths of a %classpath argument: several separated by spaces or the path separator; {@code dir/*} = its jars. */
    static List<Path> expand(String args) {
        List<Path> out = new ArrayList<>();
        for (String raw : args.trim().split("[\\s" + File.pathSeparator + "]+")) {
            String p = unquote(raw);
            if (p.endsWith("/*") || p.endsWith(File.separator + "*")) {
                Path dir = Path.of(p.substring(0, p.length() - 2));
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
                    jars.forEach(j -> out.add(j.toAbsolutePath()));
                } catch (IOException e) {
                    throw new Magics.MagicException("%classpath: cannot list " + dir.toAbsolutePath() + ": " + e.getMessage());
                }
            } else {
                Path path = Path.of(p);
                if (!Files.exists(path)) {
                    throw new Magics.MagicException("%classpath: no such file or directory: " + path.toAbsolutePath());
                }
                out.add(path.toAbsolutePath());
            }
        }
        return out;
    }

    static String unquote(String s) {
        s = s.strip();
        return s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))
                ? s.substring(1, s.length() - 1) : s;
    }

    /** {@code %env}: all variables; {@code %env NAME}: one; {@code %env NAME=VALUE} or {@code NAME VALUE}: sets one. */
    static Object env(String args) {
        if (args.isBlank()) {
            StringBuilder sb = new StringBuilder();
            new TreeMap<>(System.getenv()).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
            return Display.text(sb.toString().stripTrailing());
        }
        String[] kv = args.contains("=") ? args.split("=", 2) : args.split("\\s+", 2);
        String name = kv[0].strip();
        if (kv.length == 1) {
            String v = System.getenv(name);
            return Display.text(v == null ? name + " is not set" : v);
        }
        String value = unquote(kv[1]);
        setenv(name, value);
        System.out.println("env: " + name + "=" + value);
        return JShellEvaluator.NO_VALUE;
    }

    /** Sets a variable in this JVM's view of the environment ({@code System.getenv}); child processes do not see it. */
    @SuppressWarnings("unchecked")
    static void setenv(String name, String value) {
        try {
            Map<String, String> env = System.getenv();
            Field m = env.getClass().getDeclaredField("m");
            m.setAccessible(true);
            ((Map<String, String>) m.get(env)).put(name, value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new Magics.MagicException("%env cannot set variables in this JVM (" + e.getClass().getSimpleName()
                    + "): start the kernel with --add-opens java.base/java.util=ALL-UNNAMED, as the installed kernelspec does");
        }
    }
}
