package io.bolmo4j.kernel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.bolmo4j.kernel.deps.TestRepository;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel driven by real Jupyter clients from Debian's packages (installed by {@code kernel/ci-setup.sh}): the
 * standard conformance suite, message-by-message protocol checks, the dependency magics (a loopback repository; Maven
 * Central where reachable), and a fixture notebook executed by nbclient and
 * drawn offline in headless Chromium (skipped with one line where Chromium is missing, except in CI). The kernel under test is this JVM's class path (with {@link TestExtension}),
 * installed as a throwaway kernelspec in {@code target/jupyter}. Skipped where the clients are missing, except in CI.
 * The teaching notebooks, which need the DSL, run in the DSL module ({@code NotebooksTest}).
 */
class RealClientTest {
    static final String KERNEL = "bolmo4j-test";
    static final Path ARTIFACTS = Path.of("target", "notebook-check").toAbsolutePath();
    static final Path CLIENTS = Path.of("src/test/python");
    private static boolean fixtureExecuted;

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
    void dependencyMagicsAgainstALoopbackRepository(@TempDir Path tmp) throws Exception {
        TestRepository repo = new TestRepository(Files.createDirectories(tmp.resolve("repo")))
                .greeter("test.bolmo:util:1.0", "test.util.Util", "util 1.0: ", List.of())
                .artifact("test.bolmo:greeter:1.0", List.of("test.bolmo:util:1.0"), Map.of("test.greet.Greeter",
                        "package test.greet; public class Greeter { public static String hi(String who) { return \"Hello, \" + who + \" / \" + test.util.Util.hi(who); } }"),
                        Map.of())
                .greeter("test.bolmo:greeter2:1.0", "test.greet2.Greeter", "Hello 2, ", List.of());
        JupyterClients.python(CLIENTS, KERNEL, 600, "dependencies.py", "loopback", repo.root.toString(), tmp.resolve("home").toString());
    }

    @Test
    void dependencyFromMavenCentral(@TempDir Path tmp) throws Exception {
        assumeTrue(centralReachable(), "Maven Central is not reachable");
        JupyterClients.python(CLIENTS, KERNEL, 600, "dependencies.py", "central", tmp.resolve("home").toString());
    }

    /** Whether Maven Central answers (the network is optional for the tests: absent, one line says the check is skipped). */
    static boolean centralReachable() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("https://repo.maven.apache.org/maven2/").toURL().openConnection();
            c.setRequestMethod("HEAD");
            c.setConnectTimeout(5000);
            c.setReadTimeout(5000);
            if (c.getResponseCode() < 500) {
                return true;
            }
        } catch (IOException e) {
            // unreachable
        }
        System.err.println("SKIPPED the %maven check against Maven Central: https://repo.maven.apache.org is not reachable");
        return false;
    }

    @Test
    void widgetsWorkInTheClassicNotebookInChromium() throws Exception {
        assumeTrue(JupyterClients.notebookInBrowser(), "the classic Notebook, ipywidgets or Chromium is missing (run kernel/ci-setup.sh)");
        JupyterClients.python(CLIENTS, KERNEL, 600, "widgets_browser.py", ARTIFACTS.resolve("widgets").toString());
    }

    @Test
    void fixtureNotebookExecutes() throws Exception {
        fixtureExecuted = false;
        JupyterClients.python(CLIENTS, KERNEL, 600, "notebook_check.py", "execute",
                Path.of("src/test/notebooks/fixture.ipynb").toAbsolutePath().toString(), ARTIFACTS.toString());
        fixtureExecuted = true;
    }

    @Test
    void fixtureChartDrawsOfflineInChromium() throws Exception {
        assumeTrue(JupyterClients.chromium(), "Chromium is not installed (run kernel/ci-setup.sh)");
        if (!fixtureExecuted) { // never a page left by an earlier build
            fixtureNotebookExecutes();
        }
        JupyterClients.python(CLIENTS, KERNEL, 600, "notebook_check.py", "draw", ARTIFACTS.resolve("fixture.html").toString());
    }
}
