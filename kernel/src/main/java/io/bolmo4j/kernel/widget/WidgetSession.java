package io.bolmo4j.kernel.widget;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The widgets of a kernel session: which protocol the front end speaks, the live widgets (for a front end that
 * reloads and asks for all of them), and what each cell's controls were set to. A cell run again closes the widgets
 * its previous run made, and its new controls start where the user left the old ones (matched by order, kind and
 * description), so moving a slider and re-running the cell keeps the slider where it was.
 */
public final class WidgetSession {
    private static volatile WidgetProtocol protocol = WidgetProtocol.IPYWIDGETS_7;
    static final Map<String, Widget> LIVE = new ConcurrentHashMap<>();
    private static final Map<String, List<Widget>> BY_CELL = new ConcurrentHashMap<>();
    private static final Map<String, JsonElement> REMEMBERED = new ConcurrentHashMap<>();
    private static volatile String cell;
    private static int ordinal;

    private WidgetSession() {}

    /** The protocol widgets are opened with. */
    public static WidgetProtocol protocol() {
        return protocol;
    }

    /** Uses {@code p} for widgets opened from now on (the front end's announcement sets it; tests may too). */
    public static void protocol(WidgetProtocol p) {
        protocol = p;
    }

    /** Registers the comm targets front ends open: the version handshake (ipywidgets 6), bulk state (ipywidgets 8). */
    public static void install() {
        Comms.target("jupyter.widget.version", (id, data) -> {
            protocol(WidgetProtocol.IPYWIDGETS_6);
            JsonObject v = new JsonObject();
            v.addProperty("version", WidgetProtocol.IPYWIDGETS_6.version(WidgetProtocol.Module.CONTROLS));
            Comms.send(id, v);
            return d -> {}; // the front end answers whether it is compatible: nothing to do either way
        });
        Comms.target("jupyter.widget.control", (id, data) -> {
            protocol(WidgetProtocol.IPYWIDGETS_8);
            return d -> {
                if ("request_states".equals(d.has("method") ? d.get("method").getAsString() : "")) {
                    JsonObject states = new JsonObject();
                    LIVE.values().forEach(w -> states.add(w.id(), w.managerState()));
                    JsonObject reply = new JsonObject();
                    reply.addProperty("method", "update_states");
                    reply.add("states", states);
                    reply.add("buffer_paths", new JsonArray());
                    Comms.send(id, reply);
                }
            };
        });
    }

    /**
     * A cell starts: the widgets of its previous run are closed and its controls are numbered from 0 again.
     *
     * @param key the front end's cell id where it sends one, else the cell's code (two cells with the same code are then
     *            one cell to widgets)
     */
    public static synchronized void cellStarted(String key) {
        cell = key;
        ordinal = 0;
        List<Widget> old = key == null ? null : BY_CELL.remove(key);
        if (old != null) {
            old.forEach(Widget::close);
        }
    }

    /** The cell has ended: widgets made from now on (in callbacks) belong to no cell. */
    public static synchronized void cellEnded() {
        cell = null;
    }

    /** Records a new widget: its slot in the running cell (null outside cells). */
    static synchronized String created(Widget w) {
        if (cell == null) {
            return null;
        }
        BY_CELL.computeIfAbsent(cell, k -> new ArrayList<>()).add(w);
        return cell + "\u0000" + ordinal++;
    }

    /** What the user last set the control in {@code slot} to, or null. */
    static JsonElement recall(String slot) {
        return slot == null ? null : REMEMBERED.get(slot);
    }

    static void remember(String slot, JsonElement value) {
        if (slot != null) {
            REMEMBERED.put(slot, value);
        }
    }
}
