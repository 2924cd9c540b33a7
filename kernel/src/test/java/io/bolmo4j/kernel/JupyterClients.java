package io.bolmo4j.kernel;

import io.bolmo4j.kernel.install.KernelInstaller;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Debian's Jupyter clients (installed by {@code kernel/ci-setup.sh}) driving a kernelspec of the test JVM's class path
 * installed under {@code target/jupyter}. Shared with the DSL module's notebook tests (test-jar).
 */
public final class JupyterClients {
    /** Where the throwaway kernelspecs go: {@code PREFIX/share/jupyter/kernels/NAME}. */
    public static final Path PREFIX = Path.of("target", "jupyter").toAbsolutePath();

    private JupyterClients() {}

    /** Whether /usr/bin/python3 has the clients; in CI their absence is a failure, elsewhere one line says so. */
    public static boolean available() {
        return optional(succeeds("/usr/bin/python3", "-c", "import jupyter_client, jupyter_kernel_test, nbclient, nbconvert"),
                "the Jupyter clients", "the kernel's real-client tests and the notebooks: Debian's Jupyter clients are not"
                        + " installed (sudo bash kernel/ci-setup.sh, or run .ci/run, which installs them)");
    }

    /** Whether headless Chromium runs here (the browser checks need it); absent: as {@link #available()}. */
    public static boolean chromium() {
        return optional(succeeds("chromium", "--version") || succeeds("chromium-browser", "--version"), "Chromium",
                "the browser checks: Chromium is not installed (sudo bash kernel/ci-setup.sh installs it)");
    }

    /**
     * Whether the browser checks of widgets can run: Chromium, and the classic Notebook with Debian's ipywidgets and
     * the DevTools client's websocket library for /usr/bin/python3; absent: as {@link #available()}.
     */
    public static boolean notebookInBrowser() {
        return chromium() && optional(succeeds("/usr/bin/python3", "-c", "import notebook, ipywidgets, widgetsnbextension, websocket"),
                "the classic Notebook with ipywidgets", "the widget checks in a browser: Debian's jupyter-notebook,"
                        + " python3-ipywidgets or python3-websocket is missing (sudo bash kernel/ci-setup.sh installs them)");
    }

    private static boolean optional(boolean ok, String what, String skipped) {
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must install " + what + " (kernel/ci-setup.sh, called by .ci/run)");
        }
        if (!ok) {
            System.err.println("SKIPPED " + skipped);
        }
        return ok;
    }

    private static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Installs a kernelspec named {@code name} for this JVM's class path. */
    public static void install(String name, String displayName, List<String> jvmOptions) throws IOException {
        KernelInstaller.install(KernelInstaller.kernelsDir(PREFIX).resolve(name), displayName, jvmOptions);
    }

    /**
     * Runs a Python client script in {@code workDir} against kernelspec {@code kernel}; fails with its output unless it
     * exits 0 within {@code timeoutSeconds}.
     */
    public static void python(Path workDir, String kernel, int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("bolmo4j-kernel-client", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JUPYTER_PATH", PREFIX.resolve("share/jupyter").toString());
        pb.environment().put("JUPYTER_RUNTIME_DIR", Files.createTempDirectory("jupyter-runtime").toString());
        pb.environment().put("BOLMO4J_KERNEL_NAME", kernel);
        pb.environment().put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(0, done ? p.exitValue() : -1, String.join(" ", args) + (done ? " failed:\n" : " timed out:\n") + out);
    }
}
