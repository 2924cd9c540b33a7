package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A drop-down list: the user picks one of the options, each shown by its label. */
public final class Dropdown<T> extends ValueWidget<T, Dropdown<T>> {
    private final List<String> labels;
    private final List<T> values;

    private Dropdown(Map<String, T> options) {
        super("DropdownModel", "DropdownView", options.isEmpty() ? -1 : 0);
        labels = new ArrayList<>(options.keySet());
        values = new ArrayList<>(options.values());
        set("_options_labels", labels);
    }

    /** Options shown as {@code String.valueOf} of each; the first is selected. */
    public static <T> Dropdown<T> of(List<T> options) {
        Map<String, T> m = new LinkedHashMap<>();
        options.forEach(o -> m.put(String.valueOf(o), o));
        return new Dropdown<>(m);
    }

    /** Options by label, in the map's order; the first is selected. */
    public static <T> Dropdown<T> of(Map<String, T> options) {
        return new Dropdown<>(new LinkedHashMap<>(options));
    }

    @Override
    protected String valueKey() {
        return "index";
    }

    @Override
    public Dropdown<T> value(T value) {
        int i = values.indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException(value + " is not one of the options " + labels);
        }
        set("index", i);
        return this;
    }

    /** The selected option's label. */
    public String label() {
        int i = get("index").getAsInt();
        return i < 0 ? null : labels.get(i);
    }

    @Override
    protected T decode(JsonElement json) {
        int i = json.getAsInt();
        return i < 0 || i >= values.size() ? null : values.get(i);
    }

    @Override
    protected boolean accepts(T value) {
        return value != null;
    }

    /** ipywidgets 6 selects by label ({@code value}); 7 and 8 by position ({@code index}). */
    @Override
    protected JsonObject outgoing(JsonObject state, WidgetProtocol p) {
        if (p == WidgetProtocol.IPYWIDGETS_6 && state.has("index")) {
            int i = state.remove("index").getAsInt();
            state.add("value", i < 0 ? null : new JsonPrimitive(labels.get(i)));
        }
        return state;
    }

    @Override
    protected JsonObject incoming(JsonObject changes, WidgetProtocol p) {
        if (changes.has("value") && changes.get("value").isJsonPrimitive()) {
            changes.addProperty("index", labels.indexOf(changes.remove("value").getAsString()));
        }
        return changes;
    }
}
