package io.bolmo4j.kernel.display;

import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

import java.util.LinkedHashMap;
import java.util.Map;

/** Tablesaw tables as HTML tables and tablesaw-jsplot figures as interactive Plotly charts. */
final class TablesawRenderers {
    /** Rows shown before a long table is cut in the middle. */
    static final int HEAD = 20, TAIL = 10;

    private TablesawRenderers() {}

    static void registerIfPresent() {
        try {
            Class.forName("tech.tablesaw.api.Table");
        } catch (ClassNotFoundException e) {
            return;
        }
        Renderers.register(new DisplayRenderer<Table>() {
            @Override
            public Class<Table> type() {
                return Table.class;
            }

            @Override
            public Map<String, Object> render(Table t) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("text/html", html(t));
                out.put("text/plain", t.print(10));
                return out;
            }
        });
        try {
            Class.forName("tech.tablesaw.plotly.components.Figure");
        } catch (ClassNotFoundException e) {
            return;
        }
        Renderers.register(new DisplayRenderer<Figure>() {
            @Override
            public Class<Figure> type() {
                return Figure.class;
            }

            @Override
            public Map<String, Object> render(Figure f) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("text/html", Plotly.html(f));
                out.put("text/plain", "Plotly figure (" + f.getTraces().length + " trace(s))");
                return out;
            }
        });
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
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
