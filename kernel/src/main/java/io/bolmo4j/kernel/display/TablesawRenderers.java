package io.bolmo4j.kernel.display;

import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

import java.util.Map;

/** Tablesaw tables as HTML tables and tablesaw-jsplot figures as interactive Plotly charts. */
final class TablesawRenderers {
    /** Rows shown before a long table is cut in the middle. */
    static final int HEAD = 20, TAIL = 10;

    private TablesawRenderers() {}

    static void registerIfPresent() {
        if (!present("tech.tablesaw.api.Table")) {
            return;
        }
        Renderers.register(DisplayRenderer.of(Table.class, t -> Map.of("text/html", html(t), "text/plain", t.print(10))));
        if (present("tech.tablesaw.plotly.components.Figure")) {
            Renderers.register(DisplayRenderer.of(Figure.class, f -> Map.of("text/html", Plotly.html(f),
                    "text/plain", "Plotly figure (" + f.getTraces().length + " trace(s))")));
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** An HTML table; long tables show their head and tail. */
    static String html(Table t) {
        StringBuilder sb = new StringBuilder("<table class=\"dataframe bolmo4j-table\">\n<caption>")
                .append(escape(t.name() == null ? "" : t.name())).append(" (").append(t.rowCount()).append(" rows × ")
                .append(t.columnCount()).append(" columns)</caption>\n<thead><tr>");
        for (String name : t.columnNames()) {
            sb.append("<th>").append(escape(name)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        int n = t.rowCount();
        boolean cut = n > HEAD + TAIL + 5;
        for (int r = 0; r < n; r++) {
            if (cut && r == HEAD) {
                sb.append("<tr>").append("<td>…</td>".repeat(t.columnCount())).append("</tr>\n");
                r = n - TAIL;
            }
            sb.append("<tr>");
            for (int c = 0; c < t.columnCount(); c++) {
                sb.append("<td>").append(escape(t.getString(r, c))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody>\n</table>").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
