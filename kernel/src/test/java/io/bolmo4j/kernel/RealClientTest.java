package io.bolmo4j.kernel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel driven by real Jupyter clients from Debian's packages (installed by {@code kernel/ci-setup.sh}): the
 * standard conformance suite, message-by-message protocol checks, and a fixture notebook executed by nbclient and
 * drawn offline in headless Chromium. The kernel under test is this JVM's class path (with {@link TestExtension}),
 * installed as a throwaway kernelspec in {@code target/jupyter}. Skipped where the clients are missing (the chart's
 * drawing where Chromium is), each with one line, except in CI.
 * The teaching notebooks, which need the DSL, run in the DSL module ({@code NotebooksTest}).
 */
class RealClientTest {
    static final String KERNEL = "bolmo4j-test";
    static final Path ARTIFACTS = Path.of("target", "notebook-check").toAbsolutePath();
    static final Path CLIENTS = Path.of("src/test/python");

    @BeforeAll
    static void installKernelspec() throws IOException {
        assumeTrue(JupyterClients.available(), "Debian's Jupyter clients are not installed (run kernel/ci-setup.sh)");
        JupyterClients.install(KERNEL, "Java (bolmo4j, test)", List.of("-Xmx1g"));
    }

    @Test
    void conformanceSuitePasses() throws Exception {
        JupyterClients.python(CLIENTS, KERNEL, 600, "-m", "unittest", "-v", "conformance");
    }

    @Test
    void protocolBehaviour() throws Exception {
        JupyterClients.python(CLIENTS, KERNEL, 600, "protocol.py");
    }

    @Test
    void fixtureNotebookExecutesAndItsChartDrawsOffline() throws Exception {
        JupyterClients.python(CLIENTS, KERNEL, 600, "notebook_check.py",
                Path.of("src/test/notebooks/fixture.ipynb").toAbsolutePath().toString(), ARTIFACTS.toString());
    }
}
