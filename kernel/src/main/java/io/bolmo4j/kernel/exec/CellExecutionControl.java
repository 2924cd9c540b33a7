package io.bolmo4j.kernel.exec;

import io.bolmo4j.kernel.display.ProgressBar;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControl.EngineTerminationException;
import jdk.jshell.spi.ExecutionControl.InternalException;
import jdk.jshell.spi.ExecutionControl.RunException;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * In-process execution of JShell snippets that keeps what the text-only JShell protocol throws away: the raw value
 * of the last expression (so tables and charts can be rendered) and the real {@link Throwable} (so errors carry
 * their true class). Each snippet runs on its own thread in {@link #CELL_THREADS}, with the snippet class loader as
 * context loader (ServiceLoader-based libraries need it), so that {@link #stop()} can interrupt or, for busy loops,
 * stop it without touching the kernel's threads.
 */
final class CellExecutionControl extends DirectExecutionControl {
    /** Thread group of running cells: {@link ExitGuard} refuses {@code System.exit} from it. */
    static final ThreadGroup CELL_THREADS = new ThreadGroup("bolmo4j-cells");

    private volatile Thread running;
    private volatile boolean stopped;
    private Object lastValue;
    private Throwable lastThrowable;

    @Override
    protected String invoke(Method doit) throws Exception {
        AtomicReference<Object> value = new AtomicReference<>();
        Throwable e = onCellThread(() -> value.set(doit.invoke(null)), doit.getDeclaringClass().getClassLoader());
        if (e instanceof CellInterruptedException) {
            lastThrowable = e;
            throw new ExecutionControl.StoppedException();
        }
        if (e != null) {
            lastThrowable = e;
            return throwConvertedInvocationException(e);
        }
        lastValue = value.get();
        return valueString(lastValue);
    }

    /** Code that may throw anything, run as a cell. */
    @FunctionalInterface
    interface Work {
        void run() throws Throwable;
    }

    /**
     * Runs {@code work} as a cell runs (its own thread in {@link #CELL_THREADS}, {@code loader} as context loader,
     * stoppable by {@link #stop()}), e.g. a widget's callback between cells.
     *
     * @return what it threw (a {@link CellInterruptedException} when stopped), or null
     */
    Throwable onCellThread(Work work, ClassLoader loader) {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(CELL_THREADS, () -> {
            try {
                work.run();
            } catch (InvocationTargetException e) {
                thrown.set(e.getCause());
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "bolmo4j-cell");
        t.setContextClassLoader(loader);
        t.setDaemon(true);
        stopped = false;
        running = t;
        try {
            t.start();
            t.join();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } finally {
            running = null;
        }
        Throwable e = thrown.get();
        if (stopped && (e == null || e instanceof ThreadDeath || e instanceof InterruptedException)) {
            return new CellInterruptedException();
        }
        return e;
    }

    /**
     * Interrupts the running cell; work that ignores interrupts (a busy loop) is stopped with {@link Thread#stop()}
     * after a grace period, where the JVM still supports it (JDK 17-19). Work that shows a progress bar (training,
     * evaluation) gets up to {@value #PROGRESS_GRACE_MS} ms to reach the end of its step, since stopping it mid-step
     * could leave a model half updated.
     */
    static final long PROGRESS_GRACE_MS = 60_000;

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        Thread t = running;
        if (t == null) {
            return;
        }
        stopped = true;
        t.interrupt();
        try {
            t.join(500);
            if (t.isAlive() && ProgressBar.active(t)) {
                t.join(PROGRESS_GRACE_MS);
            }
            if (t.isAlive()) {
                t.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UnsupportedOperationException e) {
            // JDK 20+: a cell that ignores interrupts runs on; the user restarts the kernel.
        }
    }

    /**
     * A short summary of a variable's value instead of JShell's full {@code toString} (the kernel shows variables in
     * a listing, where a large list or table must not print in full).
     */
    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException, InternalException {
        try {
            Field field = findClass(className).getDeclaredField(varName);
            field.setAccessible(true); // snippet wrapper classes are not public
            return ValueSummary.of(field.get(null));
        } catch (ReflectiveOperationException e) {
            throw new InternalException(e.toString());
        }
    }

    /** The raw value of the last invoked snippet, then forgets it. */
    Object takeValue() {
        Object v = lastValue;
        lastValue = null;
        return v;
    }

    /** The throwable of the last failed snippet, then forgets it. */
    Throwable takeThrowable() {
        Throwable t = lastThrowable;
        lastThrowable = null;
        return t;
    }

    /** Provides the single control instance of one evaluator. */
    static final class Provider implements ExecutionControlProvider {
        final CellExecutionControl control = new CellExecutionControl();

        @Override
        public String name() {
            return "bolmo4j";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }
}
