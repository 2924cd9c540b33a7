package io.bolmo4j.kernel;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.kernel.exec.CellException;
import io.bolmo4j.kernel.widget.Comms;
import io.bolmo4j.kernel.widget.WidgetProtocol;
import io.bolmo4j.kernel.widget.WidgetSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Widgets on the Jupyter widget protocol, each generation (ipywidgets 6, 7, 8), with the comm messages recorded as
 * the kernel would publish them and the front end's messages played back: state on open, updates both ways,
 * clicks, output capture for {@code interact}, controls that keep the user's value when their cell runs again.
 */
class WidgetsTest {
    static KernelSession session;

    /** One comm message the kernel sent. */
    record Sent(String type, JsonObject content, JsonObject metadata, String parent) {
        String commId() {
            return content.get("comm_id").getAsString();
        }

        JsonObject data() {
            return content.getAsJsonObject("data");
        }
    }

    static final List<Sent> sent = new ArrayList<>();
    static String parent = "execute-1";

    @BeforeAll
    static void start() {
        session = KernelSession.create();
        WidgetSession.install();
    }

    @AfterAll
    static void stop() {
        Comms.channel(null);
        session.close();
    }

    @BeforeEach
    void connect() {
        sent.clear();
        WidgetSession.protocol(WidgetProtocol.IPYWIDGETS_7);
        Comms.channel(new Comms.Channel() {
            @Override
            public void send(String msgType, JsonObject content, JsonObject metadata) {
                sent.add(new Sent(msgType, content.deepCopy(), metadata, parent));
            }

            @Override
            public String parentId() {
                return parent;
            }
        });
    }

    @AfterEach
    void defaultProtocol() {
        WidgetSession.protocol(WidgetProtocol.IPYWIDGETS_7);
    }

    static Map<String, Object> cell(String cellId, String code, KernelSessionTest.Recorder r) {
        parent = "execute-" + cellId;
        return session.execute(code, cellId, 1, false, r);
    }

    /** The front end sends {@code data} on comm {@code id}, as JavaKernel hands it to the session. */
    static KernelSessionTest.Recorder frontend(String id, String json) {
        parent = "comm-msg-" + sent.size();
        KernelSessionTest.Recorder r = new KernelSessionTest.Recorder();
        session.handle(r, () -> Comms.received(id, JsonParser.parseString(json).getAsJsonObject()));
        return r;
    }

    static Sent opened(String modelName) {
        return sent.stream().filter(s -> s.type().equals("comm_open")).filter(s -> {
            JsonObject d = s.data().has("state") ? s.data().getAsJsonObject("state") : s.data();
            return d.get("_model_name").getAsString().equals(modelName);
        }).reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + modelName + " opened: " + sent));
    }

    @Test
    void aSliderOpensWithItsStateAndFollowsTheFrontEnd() {
        Map<String, Object> shown = cell("slider", "var s = new IntSlider().min(0).max(10).value(3).description(\"n\");\n"
                + "List<Integer> seen = new ArrayList<>();\ns.observe(seen::add);\ns", new KernelSessionTest.Recorder());
        Sent open = opened("IntSliderModel");
        assertEquals("jupyter.widget", open.content().get("target_name").getAsString());
        assertEquals("2.0.0", open.metadata().get("version").getAsString());
        JsonObject state = open.data().getAsJsonObject("state");
        assertEquals("@jupyter-widgets/controls", state.get("_model_module").getAsString());
        assertEquals("1.5.0", state.get("_model_module_version").getAsString());
        assertEquals(3, state.get("value").getAsInt());
        assertEquals(10, state.get("max").getAsInt());
        assertEquals("n", state.get("description").getAsString());
        JsonObject view = (JsonObject) shown.get("application/vnd.jupyter.widget-view+json");
        assertEquals(open.commId(), view.get("model_id").getAsString());
        assertEquals(2, view.get("version_major").getAsInt());
        assertEquals("IntSlider(n: 3)", shown.get("text/plain"));

        frontend(open.commId(), "{\"method\": \"update\", \"state\": {\"value\": 7}, \"buffer_paths\": []}");
        assertEquals("7", plain("s.value()"));
        assertEquals("[7]", plain("seen"), "observers see the front end's change");

        sent.clear();
        plain("s.value(9)");
        assertEquals(1, sent.size(), sent.toString());
        assertEquals("{\"method\":\"update\",\"state\":{\"value\":9},\"buffer_paths\":[]}", sent.get(0).data().toString());

        sent.clear();
        frontend(open.commId(), "{\"method\": \"request_state\"}");
        assertEquals(9, sent.get(0).data().getAsJsonObject("state").get("value").getAsInt());
        assertEquals("IntSliderModel", sent.get(0).data().getAsJsonObject("state").get("_model_name").getAsString());
    }

    static String plain(String code) {
        Map<String, Object> b = session.execute(code, 1, false, new KernelSessionTest.Recorder());
        return b == null ? null : String.valueOf(b.get("text/plain"));
    }

    @Test
    void badSettingsAreClearErrors() {
        CellException half = assertThrows(CellException.class, () -> plain("new IntSlider().min(0.5)"));
        assertEquals("an IntSlider takes whole numbers, got 0.5", half.evalue());
        CellException option = assertThrows(CellException.class, () -> plain("Dropdown.of(List.of(\"a\", \"b\")).value(\"z\")"));
        assertEquals("z is not one of the options [a, b]", option.evalue());
        assertEquals("FloatSlider(2.0)", plain("new FloatSlider().max(2).value(5.0).max(2)"), "a value above a new maximum is moved into range");
    }

    @Test
    void ipywidgets6SpeaksItsOwnDialect() {
        assertTrue(Comms.openedByFrontend("version-comm", "jupyter.widget.version", new JsonObject()));
        assertEquals(WidgetProtocol.IPYWIDGETS_6, WidgetSession.protocol());
        assertEquals("{\"version\":\"~2.1.4\"}", sent.get(0).data().toString(), "the version handshake");

        Map<String, Object> shown = cell("dropdown", "var d = Dropdown.of(List.of(\"a\", \"b\", \"c\")).description(\"pick\");\nd",
                new KernelSessionTest.Recorder());
        Sent open = opened("DropdownModel");
        assertTrue(open.metadata().entrySet().isEmpty());
        JsonObject state = open.data(); // flat, no "state" wrapper
        assertEquals("jupyter-js-widgets", state.get("_model_module").getAsString());
        assertEquals("~2.1.4", state.get("_view_module_version").getAsString());
        assertEquals("a", state.get("value").getAsString(), "ipywidgets 6 selects by label");
        assertFalse(state.has("index"));
        assertEquals("{\"model_id\":\"" + open.commId() + "\"}", shown.get("application/vnd.jupyter.widget-view+json").toString());
        assertTrue(sent.stream().anyMatch(s -> s.type().equals("comm_msg") && s.data().toString().equals("{\"method\":\"display\"}")));

        frontend(open.commId(), "{\"method\": \"backbone\", \"sync_data\": {\"value\": \"c\"}, \"buffer_keys\": []}");
        assertEquals("c", plain("d.value()"));
        sent.clear();
        plain("d.value(\"b\")");
        assertEquals("{\"method\":\"update\",\"state\":{\"value\":\"b\"},\"buffers\":[]}", sent.get(0).data().toString());
    }

    @Test
    void ipywidgets8GetsEveryLiveWidgetInOneReply() {
        cell("eight", "var t = new Text().value(\"hello\");\nt", new KernelSessionTest.Recorder());
        String text = opened("TextModel").commId();
        assertTrue(Comms.openedByFrontend("control-comm", "jupyter.widget.control", new JsonObject()));
        assertEquals(WidgetProtocol.IPYWIDGETS_8, WidgetSession.protocol());
        sent.clear();
        Comms.received("control-comm", JsonParser.parseString("{\"method\": \"request_states\"}").getAsJsonObject());
        JsonObject states = sent.get(0).data().getAsJsonObject("states");
        assertEquals("update_states", sent.get(0).data().get("method").getAsString());
        assertEquals("hello", states.getAsJsonObject(text).getAsJsonObject("state").get("value").getAsString());
        assertEquals("TextModel", states.getAsJsonObject(text).get("model_name").getAsString());

        cell("eight-b", "new Checkbox()", new KernelSessionTest.Recorder());
        Sent open = opened("CheckboxModel");
        assertEquals("2.1.0", open.metadata().get("version").getAsString());
        assertEquals("2.0.0", open.data().getAsJsonObject("state").get("_model_module_version").getAsString());
        assertFalse(Comms.openedByFrontend("x", "no.such.target", new JsonObject()), "unknown targets are refused");
    }

    @Test
    void buttonsRunTheirActionsOnClicksAsCellsRun() {
        cell("button", "int[] clicks = {0};\nvar b = new Button(\"go\").onClick(() -> { clicks[0]++; System.out.println(\"clicked \" + clicks[0]); });\nb",
                new KernelSessionTest.Recorder());
        String id = opened("ButtonModel").commId();
        KernelSessionTest.Recorder r = frontend(id, "{\"method\": \"custom\", \"content\": {\"event\": \"click\"}}");
        assertEquals("clicked 1\n", r.stdout.toString(), "a callback's output goes to the front end like a cell's");
        frontend(id, "{\"method\": \"custom\", \"content\": {\"event\": \"click\"}}");
        assertEquals("2", plain("clicks[0]"));
        KernelSessionTest.Recorder failing = new KernelSessionTest.Recorder();
        cell("button2", "var bad = new Button(\"fail\").onClick(() -> { throw new IllegalStateException(\"nope\"); });\nbad", failing);
        KernelSessionTest.Recorder f = frontend(opened("ButtonModel").commId(), "{\"method\": \"custom\", \"content\": {\"event\": \"click\"}}");
        assertTrue(f.stderr.toString().startsWith("java.lang.IllegalStateException: nope"), f.stderr.toString());
    }

    @Test
    void aLongCallbackIsInterruptedAsACellIs() throws Exception {
        cell("slow", "var slow = new Button(\"slow\").onClick(() -> { try { Thread.sleep(60_000); } catch (InterruptedException e) {"
                + " throw new IllegalStateException(\"stopped\"); } });\nslow", new KernelSessionTest.Recorder());
        String id = opened("ButtonModel").commId();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            session.interrupt();
        });
        long t0 = System.nanoTime();
        interrupter.start();
        KernelSessionTest.Recorder r = frontend(id, "{\"method\": \"custom\", \"content\": {\"event\": \"click\"}}");
        interrupter.join();
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the interrupt stops the callback");
        assertTrue(r.stderr.toString().contains("InterruptedException") || r.stderr.toString().contains("stopped"), r.stderr.toString());
        assertEquals("2", plain("1 + 1"), "the session goes on");
    }

    @Test
    void interactRendersIntoItsOutputAgainOnEveryChange() {
        KernelSessionTest.Recorder first = new KernelSessionTest.Recorder();
        Map<String, Object> shown = cell("interact", "var word = new Text().value(\"ab\");\nvar times = new IntSlider().min(1).max(5).value(2);\n"
                + "interact(() -> word.value().repeat(times.value()), word, times)", first);
        assertTrue(first.events.contains("display:[text/plain]:abab"), first.events.toString());
        Sent box = opened("VBoxModel");
        assertEquals(3, box.data().getAsJsonObject("state").getAsJsonArray("children").size());
        Sent output = opened("OutputModel");
        assertEquals("@jupyter-widgets/output", output.data().getAsJsonObject("state").get("_model_module").getAsString());
        assertEquals("abab", ((String) shown.get("text/plain")).lines().reduce((a, b) -> b).orElse(""));

        String slider = opened("IntSliderModel").commId();
        sent.clear();
        KernelSessionTest.Recorder r = frontend(slider, "{\"method\": \"update\", \"state\": {\"value\": 3}, \"buffer_paths\": []}");
        assertEquals(List.of("clear", "display:[text/plain]:ababab"), r.events);
        // the output holds the callback's request id while it renders, then lets go
        List<String> msgIds = sent.stream().filter(s -> s.commId().equals(output.commId()))
                .map(s -> s.data().getAsJsonObject("state").get("msg_id").getAsString()).toList();
        assertEquals(List.of(sent.get(0).parent(), ""), msgIds);
        assertTrue(msgIds.get(0).startsWith("comm-msg-"));
    }

    @Test
    void aCellRunAgainKeepsWhereTheUserLeftItsControlsAndClosesTheOldOnes() {
        String code = "var th = new FloatSlider().min(0).max(1).step(0.05).value(0.5).description(\"threshold\");\nth";
        cell("explorer", code, new KernelSessionTest.Recorder());
        String first = opened("FloatSliderModel").commId();
        frontend(first, "{\"method\": \"update\", \"state\": {\"value\": 0.8}, \"buffer_paths\": []}");
        sent.clear();
        Map<String, Object> again = cell("explorer", code, new KernelSessionTest.Recorder());
        assertTrue(sent.stream().anyMatch(s -> s.type().equals("comm_close") && s.commId().equals(first)), "the old slider is closed");
        Sent second = opened("FloatSliderModel");
        assertEquals(0.8, second.data().getAsJsonObject("state").get("value").getAsDouble(), 1e-12);
        assertEquals("FloatSlider(threshold: 0.8)", again.get("text/plain"));
        cell("other-cell", code, new KernelSessionTest.Recorder());
        assertEquals(0.5, opened("FloatSliderModel").data().getAsJsonObject("state").get("value").getAsDouble(), 1e-12,
                "another cell's slider starts at its own value");
    }
}
