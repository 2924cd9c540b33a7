package io.bolmo4j.kernel.widget;

import com.google.gson.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A button that runs its {@link #onClick} actions when clicked. */
public final class Button extends Widget {
    private final List<Runnable> actions = new CopyOnWriteArrayList<>();

    /** A button showing {@code label}. */
    public Button(String label) {
        super("ButtonModel", "ButtonView", WidgetProtocol.Module.CONTROLS);
        set("description", label);
        set("tooltip", "");
        set("icon", "");
        set("button_style", "");
        set("disabled", false);
    }

    /** Runs {@code action} on every click. */
    public Button onClick(Runnable action) {
        actions.add(action);
        return this;
    }

    /** One of "primary", "success", "info", "warning", "danger" or "" (plain). */
    public Button style(String buttonStyle) {
        set("button_style", buttonStyle);
        return this;
    }

    /** Greys the button out. */
    public Button disabled(boolean disabled) {
        set("disabled", disabled);
        return this;
    }

    /** Clicks the button from code (what the front end's click does). */
    public void click() {
        actions.forEach(Runnable::run);
    }

    @Override
    protected void custom(JsonObject content) {
        if (content.has("event") && "click".equals(content.get("event").getAsString())) {
            click();
        }
    }

    @Override
    public String toString() {
        return "Button(" + get("description").getAsString() + ")";
    }
}
