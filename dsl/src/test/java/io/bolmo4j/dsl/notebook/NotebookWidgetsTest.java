package io.bolmo4j.dsl.notebook;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.kernel.KernelSession;
import io.bolmo4j.kernel.widget.Comms;
import io.bolmo4j.kernel.widget.WidgetSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bolmo4j's notebook widgets in a kernel session (the DSL's extension loaded as the kernel loads it), the front end
 * played by recorded comm messages: the boundary explorer against {@link io.bolmo4j.dsl.BoundaryView#threshold} of the
 * same model, the sampling controls against {@code generate} with the same settings, the live training chart.
 */
class NotebookWidgetsTest {
    static KernelSession session;
    static final List<JsonObject> opened = new ArrayList<>();
    static String parent = "execute";

    /** What a cell or callback showed: each display or update as its text/plain, HTML kept for the last one. */
    static final class Shown implements KernelSession.Frontend {
        final List<String> texts = new ArrayList<>();
        final List<String> html = new ArrayList<>();
        int updates;

        @Override
        public void stream(String name, String text) {}

        @Override
        public void display(Map<String, Object> bundle, String id, boolean update) {
            texts.add(String.valueOf(bundle.get("text/plain")));
            html.add(String.valueOf(bundle.get("text/html")));
            updates += update ? 1 : 0;
        }

        @Override
        public void clear(boolean wait) {}
    }

    @BeforeAll
    static void start() {
        session = KernelSession.create();
        WidgetSession.install();
        Comms.channel(new Comms.Channel() {
            @Override
            public void send(String msgType, JsonObject content, JsonObject metadata) {
                if (msgType.equals("comm_open")) {
                    opened.add(content);
                }
            }

            @Override
            public String parentId() {
                return parent;
            }
        });
        run("explore-setup", "var olmo = Olmo.tiny();\nvar bolmo = Bolmo.byteify(olmo);", new Shown());
    }

    @AfterAll
    static void stop() {
        Comms.channel(null);
        session.close();
    }

    @BeforeEach
    void clear() {
        opened.clear();
    }

    static String run(String cellId, String code, Shown shown) {
        parent = "execute-" + cellId;
        Map<String, Object> b = session.execute(code, cellId, 1, false, shown);
        return b == null ? null : String.valueOf(b.get("text/plain"));
    }

    static String value(String code) {
        return run("value", code, new Shown());
    }

    /** The comm id of the last opened widget whose description is {@code description}. */
    static String widget(String description) {
        return opened.stream().filter(c -> {
            JsonObject state = c.getAsJsonObject("data").getAsJsonObject("state");
            return state.has("description") && state.get("description").getAsString().equals(description);
        }).reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no widget " + description)).get("comm_id").getAsString();
    }

    static Shown frontend(String commId, String json) {
        parent = "comm-" + commId;
        Shown s = new Shown();
        session.handle(s, () -> Comms.received(commId, JsonParser.parseString(json).getAsJsonObject()));
        return s;
    }

    @Test
    void boundaryExplorerCutsAtTheSliderThresholdAndKeepsItWhenRunAgain() {
        String text = "Call me Ishmael. Some years ago";
        assertEquals(value("bolmo.boundaries(\"" + text + "\").toString()"), value("bolmo.boundaries(\"" + text + "\").threshold(0.5).toString()"),
                "the predictor's own patches are its probabilities cut at 0.5");
        Shown first = new Shown();
        run("explorer", "Explore.boundaries(bolmo, \"" + text + "\")", first);
        String atHalf = value("bolmo.boundaries(\"" + text + "\").toString()");
        assertEquals(atHalf, first.texts.get(0), "the explorer opens at the model's own threshold");

        Shown moved = frontend(widget("threshold"), "{\"method\": \"update\", \"state\": {\"value\": 0.05}, \"buffer_paths\": []}");
        String low = value("bolmo.boundaries(\"" + text + "\").threshold(0.05).toString()");
        assertEquals(List.of(low), moved.texts);
        assertNotEquals(atHalf.lines().findFirst(), low.lines().findFirst(), "a lower threshold cuts more patches");
        assertTrue(moved.html.get(0).contains("boundary threshold 0.05"), moved.html.get(0));

        Shown again = new Shown();
        run("explorer", "Explore.boundaries(bolmo, \"" + text + "\")", again);
        assertEquals(List.of(low), again.texts, "run again, the explorer keeps the user's threshold");

        Shown typed = frontend(widget("text"), "{\"method\": \"update\", \"state\": {\"value\": \"It was the best of times\"}, \"buffer_paths\": []}");
        assertEquals(List.of(value("bolmo.boundaries(\"It was the best of times\").threshold(0.05).toString()")), typed.texts);
        Shown empty = frontend(widget("text"), "{\"method\": \"update\", \"state\": {\"value\": \"\"}, \"buffer_paths\": []}");
        assertEquals(List.of("IllegalArgumentException: text is empty"), empty.texts, "bad input is one line in the output");
    }

    @Test
    void samplingControlsGenerateWithTheirSettings() {
        Shown first = new Shown();
        run("sampling", "Explore.generate(olmo)", first);
        String expected = value("olmo.generate(\"The whale\", g -> g.maxNew(60).temperature(0.8).topK(0).topP(1.0).seed(0))");
        assertTrue(first.html.get(0).contains("<b>The whale</b>" + expected.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
                first.html.get(0));
        frontend(widget("seed"), "{\"method\": \"update\", \"state\": {\"value\": 7}, \"buffer_paths\": []}");
        frontend(widget("max tokens"), "{\"method\": \"update\", \"state\": {\"value\": 12}, \"buffer_paths\": []}");
        Shown clicked = frontend(widget("Generate"), "{\"method\": \"custom\", \"content\": {\"event\": \"click\"}}");
        String seven = value("olmo.generate(\"The whale\", g -> g.maxNew(12).temperature(0.8).seed(7))");
        assertTrue(clicked.html.get(0).contains("</b>" + seven.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</div>")
                && clicked.html.get(0).contains("seed 7"), clicked.html.get(0));
    }

    @Test
    void trainingDrawsItsLossesInOneChartReplacedInPlace() {
        Shown shown = new Shown();
        run("train", "Bolmo.byteify(olmo).stage1(s -> s.steps(3).set(\"batch\", 2).set(\"bytesPerExample\", 64))", shown);
        List<String> charts = shown.html.stream().filter(h -> h.contains("loss and metrics by step")).toList();
        assertTrue(!charts.isEmpty() && charts.stream().allMatch(h -> h.contains("Plotly.newPlot")), shown.texts.toString());
        assertTrue(shown.updates >= 1, "the chart is replaced in place at the end");
        String last = charts.get(charts.size() - 1);
        assertTrue(last.contains("x: [\"1.0\",\"2.0\",\"3.0\"]") && last.contains("name: 'loss'"), "all three steps drawn: " + last);
    }
}
