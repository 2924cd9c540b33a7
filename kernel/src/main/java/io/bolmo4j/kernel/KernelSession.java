package io.bolmo4j.kernel;

import io.bolmo4j.kernel.deps.MavenResolver;
import io.bolmo4j.kernel.deps.SessionClasspath;
import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.display.DisplaySink;
import io.bolmo4j.kernel.display.Renderers;
import io.bolmo4j.kernel.exec.CellException;
import io.bolmo4j.kernel.exec.JShellEvaluator;
import io.bolmo4j.kernel.magic.BuiltinMagics;
import io.bolmo4j.kernel.magic.DependencyMagics;
import io.bolmo4j.kernel.magic.Magics;
import io.bolmo4j.kernel.widget.WidgetSession;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One notebook session without the wire protocol: runs cells (magics, then Java through JShell) with stdout, stderr
 * and displays routed to a {@link Frontend}, renders the final value, and keeps the input history. The Jupyter kernel
 * wraps it; tests drive it directly.
 */
public final class KernelSession implements AutoCloseable {
    /** Packages every session imports (extensions add their own), so displays and Tablesaw are at hand. */
    public static final List<String> DEFAULT_IMPORTS = List.of(
            "import java.util.*;", "import java.util.stream.*;", "import java.nio.file.*;",
            "import static io.bolmo4j.kernel.display.Display.*;", "import io.bolmo4j.kernel.widget.*;",
            "import static io.bolmo4j.kernel.widget.Interact.interact;",
            "import tech.tablesaw.api.*;", "import tech.tablesaw.plotly.api.*;", "import tech.tablesaw.plotly.components.*;");

    /** Where a running cell's output goes. */
    public interface Frontend extends DisplaySink {
        /** Text written to {@code stdout} or {@code stderr}. */
        void stream(String name, String text);
    }

    /** One history entry: execution count, input, and the text of its result (null if none). */
    public record HistoryEntry(int line, String input, String output) {}

    private final JShellEvaluator shell;
    private final Magics magics;
    private final List<HistoryEntry> history = new ArrayList<>();
    private final Path mavenUserHome;
    private MavenResolver resolver;

    /** A session whose {@code %maven} magics read the user's {@code ~/.m2}. */
    public KernelSession(JShellEvaluator shell) {
        this(shell, null);
    }

    /**
     * @param mavenUserHome the {@code .m2} folder (settings.xml, local repository) of {@code %maven}; null for the
     *                      user's own
     */
    public KernelSession(JShellEvaluator shell, Path mavenUserHome) {
        this.shell = shell;
        this.mavenUserHome = mavenUserHome;
        SessionClasspath classpath = new SessionClasspath(shell);
        this.magics = DependencyMagics.install(BuiltinMagics.install(new Magics(), shell, classpath), classpath, this::resolver);
    }

    private synchronized MavenResolver resolver() {
        if (resolver == null) {
            resolver = new MavenResolver(mavenUserHome, line -> System.out.println(line)); // the running cell's stdout
        }
        return resolver;
    }

    /** A session on this JVM's class path with the default imports and those of the {@link KernelExtension}s found. */
    public static KernelSession create() {
        List<String> imports = new ArrayList<>(DEFAULT_IMPORTS);
        imports.addAll(KernelExtensions.imports(KernelSession.class.getClassLoader()));
        return new KernelSession(new JShellEvaluator(JShellEvaluator.jvmClasspath(), imports));
    }

    public JShellEvaluator shell() {
        return shell;
    }

    /**
     * Runs a cell.
     *
     * @return the MIME bundle of the cell's value, or null when it has none
     * @throws CellException when the cell does not compile, throws, or is interrupted
     */
    public Map<String, Object> execute(String code, int count, boolean storeHistory, Frontend frontend) {
        return execute(code, null, count, storeHistory, frontend);
    }

    /**
     * Runs a cell the front end identifies by {@code cellId} (null when it sends none: the code stands for the cell),
     * so that widgets of the cell's previous run are replaced.
     */
    public Map<String, Object> execute(String code, String cellId, int count, boolean storeHistory, Frontend frontend) {
        WidgetSession.cellStarted(cellId != null ? cellId : code);
        Map<String, Object> bundle = null;
        try {
            bundle = routed(frontend, () -> {
                Object value = magics.run(code, c -> shell.eval(c, count), JShellEvaluator.NO_VALUE);
                // like IPython's None, a null value (e.g. of Map.put) shows nothing
                return value == JShellEvaluator.NO_VALUE || value == null || value instanceof Display.Handle ? null : Renderers.render(value);
            });
            return bundle;
        } catch (Magics.MagicException e) {
            throw new CellException("MagicException", e.getMessage(), List.of("MagicException: " + e.getMessage()), e);
        } finally {
            WidgetSession.cellEnded();
            if (storeHistory) {
                synchronized (history) {
                    history.add(new HistoryEntry(count, code, bundle == null ? null : String.valueOf(bundle.get("text/plain"))));
                }
            }
        }
    }

    /**
     * Runs a widget's callback for a front end's message between cells: as a cell runs (interruptible), its output
     * routed to {@code frontend}; a failure is printed to its stderr.
     */
    public void handle(Frontend frontend, Runnable callback) {
        routed(frontend, () -> {
            try {
                shell.run(callback);
            } catch (CellException e) {
                System.err.println(String.join("\n", e.traceback()));
            }
            return null;
        });
    }

    /** Runs {@code body} with stdout, stderr and displays going to {@code frontend}, in the order they were made. */
    private <T> T routed(Frontend frontend, Supplier<T> body) {
        FrontendStream out = new FrontendStream(t -> frontend.stream("stdout", t));
        FrontendStream err = new FrontendStream(t -> frontend.stream("stderr", t));
        PrintStream oldOut = System.out, oldErr = System.err;
        PrintStream cellOut = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream cellErr = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(cellOut);
        System.setErr(cellErr);
        Runnable sendStreams = () -> {
            cellOut.flush();
            cellErr.flush();
            out.sendNow();
            err.sendNow();
        };
        Display.setSink(new DisplaySink() {
            @Override
            public void display(Map<String, Object> bundle, String displayId, boolean update) {
                sendStreams.run(); // keeps outputs in the order the cell produced them
                frontend.display(bundle, displayId, update);
            }

            @Override
            public void clear(boolean wait) {
                sendStreams.run();
                frontend.clear(wait);
            }

            @Override
            public void flush() {
                sendStreams.run();
            }
        });
        try {
            return body.get();
        } finally {
            sendStreams.run();
            Display.setSink(null);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Completion at {@code cursor}: magics' names and arguments, else Java. */
    public JShellEvaluator.Completion complete(String code, int cursor) {
        return magics.complete(code, cursor, shell::complete);
    }

    /** The input history, oldest first. */
    public List<HistoryEntry> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** Stops the running cell (callable from any thread). */
    public void interrupt() {
        shell.interrupt();
    }

    @Override
    public synchronized void close() {
        if (resolver != null) {
            resolver.close();
        }
        shell.close();
    }
}
