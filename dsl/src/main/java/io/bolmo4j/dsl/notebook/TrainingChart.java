package io.bolmo4j.dsl.notebook;

import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.display.Plotly;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss and metrics of a training run drawn while it trains, replaced in place in the cell's output (at most every
 * {@value #EVERY_MILLIS} ms and at the end). Long runs keep every k-th step, k doubling past {@value #MAX_POINTS}
 * points, so the chart stays small.
 */
final class TrainingChart {
    static final long EVERY_MILLIS = 2000;
    static final int MAX_POINTS = 1000;
    private final String title;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private long stride = 1;
    private Display.Handle handle;
    private long lastShown;

    TrainingChart(String title) {
        this.title = title;
    }

    /** Adds step {@code step}'s numeric metrics (rates such as bytes/s are left out). */
    void add(long step, Map<String, ?> metrics) {
        if (step % stride == 0) {
            metrics.forEach((k, v) -> {
                if (v instanceof Number n && !k.endsWith("/s")) {
                    series.computeIfAbsent(k, x -> new ArrayList<>()).add(new double[] {step, n.doubleValue()});
                }
            });
            if (series.values().stream().anyMatch(p -> p.size() > MAX_POINTS)) {
                stride *= 2;
                series.values().forEach(p -> p.removeIf(xy -> (long) xy[0] % stride != 0));
            }
        }
        long now = System.currentTimeMillis();
        if (now - lastShown >= EVERY_MILLIS) {
            show();
            lastShown = now;
        }
    }

    /** Shows the final curves. */
    void close() {
        show();
    }

    private void show() {
        if (series.isEmpty()) {
            return;
        }
        List<Trace> traces = new ArrayList<>();
        series.forEach((name, points) -> traces.add(ScatterTrace.builder(points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray()).mode(ScatterTrace.Mode.LINE).name(name).build()));
        Figure figure = new Figure(Layout.builder().title(title).height(320)
                .xAxis(Axis.builder().title("step").build()).build(),
                traces.toArray(Trace[]::new));
        if (handle == null) {
            Plotly.showLibraryOnce(); // the chart is replaced in place: its versions must not carry the only copy
            handle = Display.display(figure);
        } else {
            handle.update(figure);
        }
    }
}
