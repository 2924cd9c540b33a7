package io.bolmo4j.dsl.notebook;

import io.bolmo4j.kernel.JupyterClients;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The boundary explorer used as a person uses it: the classic Notebook with Debian's ipywidgets in headless Chromium,
 * the threshold slider dragged with the mouse (the patches change) and the cell run again (the slider and patches
 * stay). Skipped with one line where the browser or the Notebook is missing, except in CI.
 */
class ExplorerInBrowserTest {
    @Test
    void draggingTheThresholdChangesThePatchesAndARunAgainKeepsIt() throws Exception {
        assumeTrue(JupyterClients.available(), "Debian's Jupyter clients are not installed (run kernel/ci-setup.sh)");
        assumeTrue(JupyterClients.notebookInBrowser(), "the classic Notebook, ipywidgets or Chromium is missing (run kernel/ci-setup.sh)");
        JupyterClients.install("bolmo4j-explorer", "Java (bolmo4j, explorer)", List.of("-Xmx2g"));
        JupyterClients.python(Path.of("src/test/python").toAbsolutePath(), "bolmo4j-explorer", 600, "explorer_browser.py",
                Path.of("target", "explorer-check").toAbsolutePath().toString());
    }
}
