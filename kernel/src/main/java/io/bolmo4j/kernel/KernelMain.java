package io.bolmo4j.kernel;

import io.bolmo4j.kernel.display.NotebookProgress;
import io.bolmo4j.kernel.exec.ExitGuard;
import io.bolmo4j.kernel.install.KernelInstaller;
import io.bolmo4j.progress.Progress;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Entry point: {@code KernelMain CONNECTION_FILE} runs the kernel (as Jupyter starts it from the kernelspec);
 * {@code KernelMain install [options]} installs the kernelspec; {@code KernelMain bench} measures start-up and latency.
 */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("install")) {
            System.exit(KernelInstaller.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("bench")) {
            System.exit(io.bolmo4j.kernel.bench.KernelBench.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length != 1 || args[0].startsWith("-")) {
            System.err.println("usage: bolmo4j kernel install [--user | --prefix DIR] [--name NAME] [--display-name TEXT] | bolmo4j kernel bench | KernelMain CONNECTION_FILE");
            System.exit(2);
        }
        // kernel logs must not land in cells: cache the real stderr before the first logger exists
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        String json;
        try {
            json = Files.readString(Path.of(args[0]));
        } catch (NoSuchFileException e) {
            System.err.println("bolmo4j kernel: no connection file " + args[0]);
            System.exit(2);
            return;
        }
        run(KernelConnectionProperties.parse(json));
    }

    /** Serves one Jupyter connection until shutdown or until the parent process dies. */
    static void run(KernelConnectionProperties props) throws Exception {
        CompletableFuture<KernelSession> session = new CompletableFuture<>();
        Thread init = new Thread(() -> {
            try {
                KernelSession s = KernelSession.create();
                s.shell().eval("1 + 1", 0); // warms javac so the first cell is fast
                session.complete(s);
            } catch (Throwable t) {
                session.completeExceptionally(t);
            }
        }, "bolmo4j-session-init");
        init.setDaemon(true);
        init.start();

        JupyterConnection conn = new JupyterConnection(props);
        new JavaKernel(session).attach(conn, () -> {
            Thread halt = new Thread(() -> {
                sleep(3000);
                Runtime.getRuntime().halt(0); // a cell that ignores interrupts must not keep the process alive
            }, "bolmo4j-shutdown");
            halt.setDaemon(true);
            halt.start();
        });
        Progress.setFactory(NotebookProgress::create);
        ExitGuard.install();
        conn.connect();
        watchParent();
        conn.waitUntilClose();
        System.exit(0);
    }

    /** Ends the kernel when the process that started it (Jupyter) is gone. */
    private static void watchParent() {
        Optional<ProcessHandle> parent = Optional.ofNullable(System.getenv("JPY_PARENT_PID"))
                .flatMap(pid -> {
                    try {
                        return ProcessHandle.of(Long.parseLong(pid.trim()));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                })
                .or(() -> ProcessHandle.current().parent());
        parent.ifPresent(p -> {
            Thread w = new Thread(() -> {
                while (p.isAlive()) {
                    sleep(1000);
                }
                Runtime.getRuntime().halt(0);
            }, "bolmo4j-parent-watchdog");
            w.setDaemon(true);
            w.start();
        });
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
