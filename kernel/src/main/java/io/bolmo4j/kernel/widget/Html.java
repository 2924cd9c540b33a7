package io.bolmo4j.kernel.widget;

/** HTML (or, with {@link #label}, plain text) whose content code replaces in place. */
public final class Html extends Widget {
    private Html(String model, String view, String value) {
        super(model, view, WidgetProtocol.Module.CONTROLS);
        set("value", value);
        set("description", "");
        set("placeholder", "");
    }

    /** HTML content. */
    public Html(String html) {
        this("HTMLModel", "HTMLView", html);
    }

    /** A line of plain text. */
    public static Html label(String text) {
        return new Html("LabelModel", "LabelView", text);
    }

    /** Replaces the content. */
    public Html value(String content) {
        set("value", content);
        return this;
    }

    /** The content. */
    public String value() {
        return get("value").getAsString();
    }

    @Override
    public String toString() {
        return value();
    }
}
