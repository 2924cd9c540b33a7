package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

/** A one-line text box ({@link #multiline()}: a text area). */
public final class Text extends ValueWidget<String, Text> {
    /** An empty text box. */
    public Text() {
        this("TextModel", "TextView");
    }

    private Text(String model, String view) {
        super(model, view, "");
        set("placeholder", "");
        set("continuous_update", true);
    }

    /** An empty text area of several lines. */
    public static Text multiline() {
        return new Text("TextareaModel", "TextareaView");
    }

    /** Grey text shown while the box is empty. */
    public Text placeholder(String placeholder) {
        set("placeholder", placeholder);
        return this;
    }

    /** Whether the value changes with every key (true) or when the box loses focus or Enter is pressed. */
    public Text continuousUpdate(boolean continuous) {
        set("continuous_update", continuous);
        return this;
    }

    @Override
    protected String decode(JsonElement json) {
        return json.getAsString();
    }
}
