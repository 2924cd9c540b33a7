package io.bolmo4j.kernel.widget;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * The generations of the Jupyter widget protocol a front end may speak. The kernel starts with ipywidgets 7's (which
 * JupyterLab with ipywidgets 7 or 8, VS Code and nbclient read) and switches when the front end announces itself:
 * ipywidgets 6 (Debian 12's python3-ipywidgets, classic Notebook) opens {@code jupyter.widget.version}, ipywidgets 8
 * opens {@code jupyter.widget.control}.
 */
public enum WidgetProtocol {
    /** ipywidgets 6: one module {@code jupyter-js-widgets ~2.1.4}, the state flat in comm_open, "backbone" syncs. */
    IPYWIDGETS_6,
    /** ipywidgets 7: protocol 2.0, {@code @jupyter-widgets/controls 1.5.0}, {@code base 1.2.0}, {@code output 1.0.0}. */
    IPYWIDGETS_7,
    /** ipywidgets 8: protocol 2.1, {@code @jupyter-widgets/controls 2.0.0}, {@code base 2.0.0}, {@code output 1.0.0}. */
    IPYWIDGETS_8;

    /** Which JavaScript module a model lives in. */
    public enum Module { BASE, CONTROLS, OUTPUT }

    String module(Module m) {
        if (this == IPYWIDGETS_6) {
            return "jupyter-js-widgets";
        }
        return switch (m) {
            case BASE -> "@jupyter-widgets/base";
            case CONTROLS -> "@jupyter-widgets/controls";
            case OUTPUT -> "@jupyter-widgets/output";
        };
    }

    String version(Module m) {
        return switch (this) {
            case IPYWIDGETS_6 -> "~2.1.4";
            case IPYWIDGETS_7 -> m == Module.CONTROLS ? "1.5.0" : m == Module.BASE ? "1.2.0" : "1.0.0";
            case IPYWIDGETS_8 -> m == Module.OUTPUT ? "1.0.0" : "2.0.0";
        };
    }

    /** The data of a widget's comm_open. */
    JsonObject openData(JsonObject state) {
        if (this == IPYWIDGETS_6) {
            return state;
        }
        JsonObject d = new JsonObject();
        d.add("state", state);
        d.add("buffer_paths", new JsonArray());
        return d;
    }

    /** The metadata of a widget's comm_open: the protocol version (2.x front ends refuse a comm without it). */
    JsonObject openMetadata() {
        JsonObject m = new JsonObject();
        if (this != IPYWIDGETS_6) {
            m.addProperty("version", this == IPYWIDGETS_7 ? "2.0.0" : "2.1.0");
        }
        return m;
    }

    /** A state update for the front end. */
    JsonObject update(JsonObject state) {
        JsonObject d = new JsonObject();
        d.addProperty("method", "update");
        d.add("state", state);
        d.add(this == IPYWIDGETS_6 ? "buffers" : "buffer_paths", new JsonArray());
        return d;
    }

    /** The state a front end's message changes, or null when the message is not a state update. */
    static JsonObject incomingState(JsonObject data) {
        String method = data.has("method") ? data.get("method").getAsString() : "";
        if (method.equals("update") && data.has("state")) {
            return data.getAsJsonObject("state");
        }
        if (method.equals("backbone") && data.has("sync_data")) {
            return data.getAsJsonObject("sync_data");
        }
        return null;
    }

    /** The {@code application/vnd.jupyter.widget-view+json} content showing a widget. */
    JsonObject view(String modelId) {
        JsonObject v = new JsonObject();
        v.addProperty("model_id", modelId);
        if (this != IPYWIDGETS_6) {
            v.addProperty("version_major", 2);
            v.addProperty("version_minor", 0);
        }
        return v;
    }
}
