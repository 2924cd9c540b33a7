package io.bolmo4j.kernel;

import io.bolmo4j.kernel.exec.ExitGuard;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Entry point of the kernel process: {@code KernelMain CONNECTION_FILE}, as Jupyter starts it from the kernelspec
 * ({@code bolmo4j kernel install} writes one); {@code --cds-warmup} is the run whose classes the installer archives.
 */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        // kernel logs must not land in cells: cache the real stderr before the first logger exists
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // DJL probes for CUDA on every engine start; on a CPU machine that is one warning per cell, not news
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        if (args.length == 1 && args[0].equals("--cds-warmup")) {
            warmUp();
            return;
        }
        if (args.length != 1 || args[0].startsWith("-")) {
            System.err.println("usage: KernelMain CONNECTION_FILE (Jupyter starts it; install the kernelspec with 'bolmo4j kernel install')");
            System.exit(2);
        }
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
        ExitGuard.install();
        conn.connect();
        watchParent();
        conn.waitUntilClose();
        System.exit(0);
    }

    /**
     * Exercises start-up and a first cell (JShell, the wire protocol on loopback, rendering) so that a class-data
     * sharing archive recorded during this run ({@code -XX:ArchiveClassesAtExit}) covers what a kernel start loads.
     */
    static void warmUp() throws Exception {
        KernelConnectionProperties props = new KernelConnectionProperties("127.0.0.1", freePort(), freePort(), freePort(),
                freePort(), freePort(), "tcp", "hmac-sha256", UUID.randomUUID().toString());
        JupyterConnection conn = new JupyterConnection(props);
        new JavaKernel(CompletableFuture.completedFuture(null)).attach(conn, () -> {});
        conn.connect();
        JavaKernel.kernelInfo();
        try (KernelSession s = KernelSession.create()) {
            s.execute("var t = Table.create(\"t\", IntColumn.create(\"x\", 1));\nt", 1, false, new KernelSession.Frontend() {
                @Override
                public void stream(String name, String text) {}

                @Override
                public void display(Map<String, Object> bundle, String id, boolean update) {}

                @Override
                public void clear(boolean wait) {}
            });
        }
        conn.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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
