package io.bolmo4j.dsl.notebook;

import io.bolmo4j.dsl.BoundaryView;
import io.bolmo4j.dsl.Tabular;
import io.bolmo4j.kernel.KernelExtension;
import io.bolmo4j.kernel.display.DisplayRenderer;
import io.bolmo4j.kernel.display.Renderers;
import io.bolmo4j.progress.Progress;

import java.util.List;
import java.util.Map;

/**
 * What bolmo4j brings to a Jupyter session: the DSL and {@link Explore} (boundary explorer, sampling controls) imported,
 * boundary views as HTML, typed results as their tables, and training, evaluation and merges reporting through
 * progress bars in the cell output (training with a live chart of its losses). Found by the kernel through {@link java.util.ServiceLoader}.
 */
public final class NotebookExtension implements KernelExtension {
    @Override
    public List<String> imports() {
        return List.of("import io.bolmo4j.dsl.*;", "import io.bolmo4j.dsl.notebook.Explore;");
    }

    @Override
    public List<DisplayRenderer<?>> renderers() {
        return List.of(DisplayRenderer.of(BoundaryView.class, v -> Map.of("text/html", v.html(), "text/plain", v.toString())),
                DisplayRenderer.of(Tabular.class, v -> Renderers.render(v.table())));
    }

    @Override
    public void start() {
        Progress.setFactory(NotebookProgress::create);
    }
}
