package io.bolmo4j.dsl;

import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.traces.BarTrace;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plotly charts (tablesaw-jsplot {@link Figure}s) of bolmo4j's analysis tables: training curves, comparisons and
 * trade-offs. In the bolmo4j Jupyter kernel a figure renders as an interactive chart that also draws offline.
 */
public final class Charts {
    private Charts() {}

    /** {@code column} of a {@link Bolmo#history()} table against step, one line per stage (missing values skipped). */
    public static Figure history(Table history, String column) {
        return new Figure(layout(column, "step", column), traces(history, "step", column, "stage").toArray(Trace[]::new));
    }

    /** As {@link #history(Table, String)} with a dashed reference line, e.g. the teacher's bits per byte. */
    public static Figure history(Table history, String column, double reference, String referenceName) {
        List<Trace> traces = traces(history, "step", column, "stage");
        double first = history.numberColumn("step").min(), last = history.numberColumn("step").max();
        traces.add(ScatterTrace.builder(new double[] {first, last}, new double[] {reference, reference})
                .mode(ScatterTrace.Mode.LINE).name(referenceName).line(Line.builder().dash(Line.Dash.DASH).build()).build());
        return new Figure(layout(column, "step", column), traces.toArray(Trace[]::new));
    }

    /** A line per value of {@code group}: {@code y} against {@code x}. */
    public static Figure lines(Table t, String x, String y, String group) {
        return new Figure(layout(y + " by " + x, x, y), traces(t, x, y, group).toArray(Trace[]::new));
    }

    private static List<Trace> traces(Table t, String x, String y, String group) {
        List<Trace> traces = new ArrayList<>();
        grouped(t, x, y, group).forEach((name, points) -> traces.add(line(name, points)));
        return traces;
    }

    /** Grouped bars: one bar per row of {@code category} for each numeric column in {@code values}. */
    public static Figure bars(Table t, String category, String... values) {
        Object[] categories = t.column(category).asList().stream().map(String::valueOf).toArray();
        List<Trace> traces = new ArrayList<>();
        for (String v : values) {
            traces.add(BarTrace.builder(categories, numbers(t.column(v))).name(v).build());
        }
        Layout layout = Layout.builder().title(String.join(", ", values) + " by " + category).barMode(Layout.BarMode.GROUP)
                .xAxis(Axis.builder().title(category).build()).build();
        return new Figure(layout, traces.toArray(Trace[]::new));
    }

    /** Labelled points: {@code y} against {@code x}, each marker annotated with its {@code label}. */
    public static Figure scatter(Table t, String x, String y, String label) {
        String[] labels = t.column(label).asList().stream().map(String::valueOf).toArray(String[]::new);
        Trace trace = ScatterTrace.builder(numbers(t.column(x)), numbers(t.column(y)))
                .mode(ScatterTrace.Mode.TEXT_AND_MARKERS).text(labels).name(y).build();
        return new Figure(layout(y + " vs " + x, x, y), trace);
    }

    private static Layout layout(String title, String x, String y) {
        return Layout.builder().title(title).xAxis(Axis.builder().title(x).build()).yAxis(Axis.builder().title(y).build()).build();
    }

    private static Trace line(String name, List<double[]> points) {
        double[] xs = points.stream().mapToDouble(p -> p[0]).toArray(), ys = points.stream().mapToDouble(p -> p[1]).toArray();
        return ScatterTrace.builder(xs, ys).mode(ScatterTrace.Mode.LINE).name(name).build();
    }

    /** (x, y) points per group value, in row order, rows with a missing x or y left out. */
    private static Map<String, List<double[]>> grouped(Table t, String x, String y, String group) {
        Column<?> gx = t.column(x), gy = t.column(y), gg = t.column(group);
        if (!(gx instanceof NumericColumn<?> nx) || !(gy instanceof NumericColumn<?> ny)) {
            throw new IllegalArgumentException("columns '" + x + "' and '" + y + "' must be numeric");
        }
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        for (int r = 0; r < t.rowCount(); r++) {
            if (nx.isMissing(r) || ny.isMissing(r)) {
                continue;
            }
            out.computeIfAbsent(String.valueOf(gg.get(r)), k -> new ArrayList<>()).add(new double[] {nx.getDouble(r), ny.getDouble(r)});
        }
        return out;
    }

    /** The column as doubles, missing values as NaN (Plotly leaves a gap) rather than an int column's sentinel. */
    private static double[] numbers(Column<?> c) {
        if (!(c instanceof NumericColumn<?> n)) {
            throw new IllegalArgumentException("column '" + c.name() + "' must be numeric");
        }
        double[] out = new double[n.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = n.isMissing(r) ? Double.NaN : n.getDouble(r);
        }
        return out;
    }
}
