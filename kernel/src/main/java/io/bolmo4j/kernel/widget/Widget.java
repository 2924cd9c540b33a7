package io.bolmo4j.kernel.widget;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A Jupyter widget: a model whose state (JSON) is kept in step with the front end's copy over a comm, shown by a
 * view wherever it is displayed. The comm opens when the widget is first shown (or a box holding it is), so its state
 * is complete by then; outside a kernel a widget is a plain object whose display is its text.
 */
public abstract class Widget {
    static final Gson GSON = new Gson();
    private final String id = UUID.randomUUID().toString().replace("-", "");
    private final String modelName;
    private final String viewName;
    private final WidgetProtocol.Module module;
    private final JsonObject state = new JsonObject();
    private final Map<String, List<Consumer<JsonElement>>> observers = new ConcurrentHashMap<>();
    /** Where this widget was made in the running cell (null outside cells), for {@link WidgetSession}. */
    final String slot;
    private WidgetProtocol openedWith;

    protected Widget(String modelName, String viewName, WidgetProtocol.Module module) {
        this.modelName = modelName;
        this.viewName = viewName;
        this.module = module;
        this.slot = WidgetSession.created(this);
    }

    /** The model id (the comm id). */
    public String id() {
        return id;
    }

    /** Sets a state attribute: sent to the front end when open, observers notified when it changed. */
    protected final void set(String key, Object value) {
        JsonElement v = value instanceof JsonElement j ? j : GSON.toJsonTree(value);
        WidgetProtocol p;
        synchronized (this) {
            if (v.equals(state.get(key))) {
                return;
            }
            state.add(key, v);
            p = openedWith;
        }
        if (p != null) {
            JsonObject s = new JsonObject();
            s.add(key, v);
            Comms.send(id, p.update(outgoing(s, p)));
        }
        fire(key, v);
    }

    /** Sets an attribute before the comm opens, telling no one (a remembered value taking the place of the initial one). */
    protected final synchronized void restore(String key, JsonElement value) {
        state.add(key, value);
    }

    /** A state attribute, or null. */
    protected final synchronized JsonElement get(String key) {
        return state.get(key);
    }

    /** Calls {@code observer} with the new value whenever {@code key} changes (from the front end or from code). */
    protected final void onChange(String key, Consumer<JsonElement> observer) {
        observers.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(observer);
    }

    private void fire(String key, JsonElement v) {
        observers.getOrDefault(key, List.of()).forEach(o -> o.accept(v));
    }

    /** Widgets this one shows (opened before it, since its state refers to them). */
    protected List<Widget> children() {
        return List.of();
    }

    /** Called once before the comm opens (a control takes back where the user left it). */
    protected void beforeOpen() {}

    /** Rewrites state for a protocol generation (a dropdown's selection differs). */
    protected JsonObject outgoing(JsonObject state, WidgetProtocol p) {
        return state;
    }

    /** Rewrites a front end's changes into this class's own attributes. */
    protected JsonObject incoming(JsonObject changes, WidgetProtocol p) {
        return changes;
    }

    /** The user changed {@code key} in the front end (after the state and observers saw it). */
    protected void changedByUser(String key, JsonElement value) {}

    /** A custom message from the front end (a button's click). */
    protected void custom(JsonObject content) {}

    /** Opens the comm (children first) if a front end is reachable; does nothing when already open. */
    public final void open() {
        synchronized (this) {
            if (openedWith != null || !Comms.connected()) {
                return;
            }
        }
        children().forEach(Widget::open);
        synchronized (this) {
            if (openedWith != null) {
                return;
            }
            beforeOpen();
            WidgetProtocol p = WidgetSession.protocol();
            Comms.open(id, "jupyter.widget", p.openData(fullState(p)), p.openMetadata(), handler());
            openedWith = p;
            WidgetSession.LIVE.put(id, this);
        }
    }

    /** Closes the comm: the front end removes the widget's views. */
    public void close() {
        synchronized (this) {
            openedWith = null;
        }
        WidgetSession.LIVE.remove(id);
        Comms.close(id);
    }

    synchronized JsonObject fullState(WidgetProtocol p) {
        JsonObject s = new JsonObject();
        s.addProperty("_model_name", modelName);
        s.addProperty("_model_module", p.module(module));
        s.addProperty("_model_module_version", p.version(module));
        s.addProperty("_view_name", viewName);
        s.addProperty("_view_module", p.module(module));
        s.addProperty("_view_module_version", p.version(module));
        state.entrySet().forEach(e -> s.add(e.getKey(), e.getValue().deepCopy()));
        return outgoing(s, p);
    }

    /** The widget as ipywidgets 8's bulk state request lists it. */
    synchronized JsonObject managerState() {
        WidgetProtocol p = openedWith == null ? WidgetSession.protocol() : openedWith;
        JsonObject m = new JsonObject();
        m.addProperty("model_name", modelName);
        m.addProperty("model_module", p.module(module));
        m.addProperty("model_module_version", p.version(module));
        m.add("state", fullState(p));
        return m;
    }

    private Comms.Handler handler() {
        return new Comms.Handler() {
            @Override
            public void message(JsonObject data) {
                WidgetProtocol p;
                synchronized (Widget.this) {
                    p = openedWith;
                }
                if (p == null) {
                    return;
                }
                JsonObject changes = WidgetProtocol.incomingState(data);
                String method = data.has("method") ? data.get("method").getAsString() : "";
                if (changes != null) {
                    fromFrontend(incoming(changes, p));
                } else if (method.equals("request_state")) {
                    Comms.send(id, p.update(fullState(p)));
                } else if (method.equals("custom") && data.has("content") && data.get("content").isJsonObject()) {
                    custom(data.getAsJsonObject("content"));
                }
            }

            @Override
            public void closed() {
                synchronized (Widget.this) {
                    openedWith = null;
                }
                WidgetSession.LIVE.remove(id);
            }
        };
    }

    private void fromFrontend(JsonObject changes) {
        for (Map.Entry<String, JsonElement> e : changes.entrySet()) {
            synchronized (this) {
                if (e.getValue().equals(state.get(e.getKey()))) {
                    continue;
                }
                state.add(e.getKey(), e.getValue());
            }
            fire(e.getKey(), e.getValue());
            changedByUser(e.getKey(), e.getValue());
        }
    }

    /**
     * The display bundle: the widget's view (its comm opened first) and a text for front ends without widgets (empty
     * for ipywidgets 6, which the kernel then leaves out).
     */
    public Map<String, Object> bundle() {
        open();
        Map<String, Object> b = new LinkedHashMap<>();
        WidgetProtocol p;
        synchronized (this) {
            p = openedWith;
        }
        if (p != null) {
            b.put("application/vnd.jupyter.widget-view+json", p.view(id));
            if (p == WidgetProtocol.IPYWIDGETS_6) {
                JsonObject display = new JsonObject();
                display.addProperty("method", "display"); // ipywidgets 6 shows the view on this message
                Comms.send(id, display);
            }
        }
        // ipywidgets 6 shows the view beside the outputs, where a text would show it a second time
        b.put("text/plain", p == WidgetProtocol.IPYWIDGETS_6 ? "" : toString());
        return b;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName();
    }
}
