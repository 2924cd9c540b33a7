package io.bolmo4j.kernel;

import io.bolmo4j.kernel.install.KernelInstaller;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel driven by real Jupyter clients from Debian's packages (installed by {@code kernel/ci-setup.sh}): the
 * standard conformance suite, message-by-message protocol checks, a fixture notebook executed by nbclient and
 * drawn offline in headless Chromium, and the teaching notebooks of {@code notebooks/} executed with their outputs
 * checked. The kernel under test is this JVM's class path, installed as a throwaway
 * kernelspec in {@code target/jupyter}. Skipped where the clients are missing, except in CI.
 */
class RealClientTest {
    static final String KERNEL = "bolmo4j-test";
    static final String NOTEBOOK_KERNEL = "bolmo4j-notebooks";
    static final Path PREFIX = Path.of("target", "jupyter").toAbsolutePath();
    static final Path ARTIFACTS = Path.of("target", "notebook-check").toAbsolutePath();

    @BeforeAll
    static void installKernelspec() throws IOException {
        assumeTrue(clientsAvailable(), "Debian's Jupyter clients are not installed (run kernel/ci-setup.sh)");
        KernelInstaller.install(PREFIX.resolve("share/jupyter/kernels").resolve(KERNEL), "Java (bolmo4j, test)", List.of("-Xmx1g"));
    }

    static boolean clientsAvailable() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import jupyter_client, jupyter_kernel_test, nbclient, nbconvert")
                    .redirectErrorStream(true).start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must install the Jupyter clients (kernel/ci-setup.sh, called by .ci/run)");
        }
        if (!ok) {
            System.err.println("SKIPPED the kernel's real-client tests and the notebooks: Debian's Jupyter clients are not"
                    + " installed (sudo bash kernel/ci-setup.sh, or run .ci/run, which installs them)");
        }
        return ok;
    }

    @Test
    void conformanceSuitePasses() throws Exception {
        python("-m", "unittest", "-v", "conformance");
    }

    @Test
    void protocolBehaviour() throws Exception {
        python("protocol.py");
    }

    @Test
    void fixtureNotebookExecutesAndItsChartDrawsOffline() throws Exception {
        python("notebook_check.py", Path.of("src/test/notebooks/fixture.ipynb").toAbsolutePath().toString(), ARTIFACTS.toString());
    }

    @Test
    void teachingNotebooksExecute() throws Exception {
        // their own kernelspec: the teaching notebooks train models and need the default heap
        KernelInstaller.install(PREFIX.resolve("share/jupyter/kernels").resolve(NOTEBOOK_KERNEL), "Java (bolmo4j, notebooks)", List.of());
        // two at a time: a training step is largely one-threaded per-op overhead at these sizes
        List<String> args = new java.util.ArrayList<>(List.of(Path.of("..", "notebooks", "run_notebooks.py").toAbsolutePath().normalize().toString(),
                "--jobs", "2", Path.of("target", "notebooks").toAbsolutePath().toString()));
        try (var nbs = Files.list(Path.of("..", "notebooks"))) {
            nbs.filter(p -> p.toString().endsWith(".ipynb")).sorted().forEach(p -> args.add(p.toAbsolutePath().normalize().toString()));
        }
        pythonWith(NOTEBOOK_KERNEL, 2400, args.toArray(String[]::new));
    }

    private static void python(String... args) throws Exception {
        pythonWith(KERNEL, 600, args);
    }

    private static void pythonWith(String kernel, int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/python3"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("bolmo4j-kernel-client", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("src/test/python").toFile())
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
