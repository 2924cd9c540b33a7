package io.bolmo4j.notebooks;

import io.bolmo4j.kernel.JupyterClients;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The teaching notebooks of {@code notebooks/} executed headlessly by nbclient on the bolmo4j kernel with the DSL on
 * its class path (found through its kernel extension), their check cells failing the run when a result is off; then
 * the outputs committed with them are checked to be current with what this run produced.
 * Skipped where Debian's Jupyter clients are missing, except in CI.
 */
class NotebooksTest {
    @Test
    void teachingNotebooksExecute() throws Exception {
        assumeTrue(JupyterClients.available(), "Debian's Jupyter clients are not installed (run kernel/ci-setup.sh)");
        // the notebooks train models: the default heap, not the small one of the protocol tests
        JupyterClients.install("bolmo4j-notebooks", "Java (bolmo4j, notebooks)", List.of());
        Path notebooks = Path.of("..", "notebooks").toAbsolutePath().normalize();
        // two at a time: a training step is largely one-threaded per-op overhead at these sizes
        List<String> args = new ArrayList<>(List.of(notebooks.resolve("run_notebooks.py").toString(), "--jobs", "2",
                Path.of("target", "notebooks").toAbsolutePath().toString()));
        try (Stream<Path> files = Files.list(notebooks)) {
            files.filter(p -> p.toString().endsWith(".ipynb")).sorted().forEach(p -> args.add(p.toString()));
        }
        JupyterClients.python(notebooks, "bolmo4j-notebooks", 2400, args.toArray(String[]::new));
        // the outputs kept in notebooks/ for readers must be those of this code (notebooks/publish.py says what "current" means)
        JupyterClients.python(notebooks, "bolmo4j-notebooks", 120, notebooks.resolve("publish.py").toString(), "check",
                Path.of("target", "notebooks").toAbsolutePath().toString(), notebooks.toString());
    }
}
