package io.bolmo4j.kernel.display;

import tech.tablesaw.plotly.components.Figure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plotly charts that draw offline: plotly.js (2.x, bundled in the jar at build time) is inlined into the first chart
 * of a kernel session, wrapped so that pages with require.js (classic notebook, nbconvert HTML) still get
 * {@code window.Plotly}; every chart gets a unique div id and its script runs in its own scope.
 */
public final class Plotly {
    static final String RESOURCE = "plotly.min.js";
    private static final AtomicBoolean LIBRARY_SENT = new AtomicBoolean();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String SESSION = Long.toString(System.nanoTime() & 0xffffffL, 36);

    private Plotly() {}

    /** The HTML of a figure: the library on first use in this session, the div and the drawing script. */
    public static String html(Figure figure) {
        String id = "bolmo4j_plot_" + SESSION + "_" + COUNTER.incrementAndGet();
        String script = figure.asJavascript(id).replace("<script>", "").replace("</script>", "").strip();
        StringBuilder sb = new StringBuilder();
        if (!LIBRARY_SENT.getAndSet(true)) {
            sb.append("<script type=\"text/javascript\">\n").append(library()).append("\n</script>\n");
        }
        return sb.append(figure.divString(id).strip()).append("\n<script type=\"text/javascript\">\n(function() {\n")
                .append(script).append("\n})();\n</script>").toString();
    }

    /**
     * Shows plotly.js as an output of its own if no chart of this session carried it yet: for a chart that will be
     * replaced in place (a live training curve), whose replacements must not be the only copy of the library.
     */
    public static void showLibraryOnce() {
        if (!LIBRARY_SENT.getAndSet(true)) {
            Display.display(new Rich(Map.of("text/html", "<script type=\"text/javascript\">\n" + library() + "\n</script>",
                    "text/plain", "(plotly.js for the charts of this session)")));
        }
    }

    /** plotly.min.js wrapped to define {@code window.Plotly} even where an AMD loader is present. */
    static String library() {
        try (InputStream in = Plotly.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("plotly.js is not bundled in this build (kernel/pom.xml fetches it from npm at build time)");
            }
            return "(function(){var define, module, exports;\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    + "\n}).call(window);";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
