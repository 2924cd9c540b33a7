package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

import java.util.function.Consumer;

/**
 * A control with a value the user changes (slider, text, dropdown, checkbox), fluent in its own type {@code W}. A
 * control made again by a re-run cell starts at the value the user last gave the one it replaces.
 *
 * @param <T> the value's type
 * @param <W> the control's own type, returned by the fluent setters
 */
public abstract class ValueWidget<T, W extends ValueWidget<T, W>> extends Widget {
    private String memory;

    /** @param initial the value attribute's first state (JSON-able: the value, or what stands for it) */
    protected ValueWidget(String modelName, String viewName, Object initial) {
        super(modelName, viewName, WidgetProtocol.Module.CONTROLS);
        set(valueKey(), initial);
        set("description", "");
        set("disabled", false);
    }

    /** The state attribute holding the value. */
    protected String valueKey() {
        return "value";
    }

    /** The value from its JSON form. */
    protected abstract T decode(JsonElement json);

    /** Whether {@code value} is one this control can show now (a remembered value must still be in range). */
    protected boolean accepts(T value) {
        return true;
    }

    @SuppressWarnings("unchecked")
    private W self() {
        return (W) this;
    }

    /** The current value. */
    public T value() {
        return decode(get(valueKey()));
    }

    /** Sets the value (shown at once where the control is displayed). */
    public W value(T value) {
        set(valueKey(), value);
        return self();
    }

    /** The label beside the control. */
    public W description(String description) {
        set("description", description);
        return self();
    }

    /** Greys the control out. */
    public W disabled(boolean disabled) {
        set("disabled", disabled);
        return self();
    }

    /** Calls {@code observer} with each new value, whoever changed it. */
    public W observe(Consumer<T> observer) {
        onChange(valueKey(), v -> observer.accept(decode(v)));
        return self();
    }

    @Override
    protected void beforeOpen() {
        memory = slot == null ? null : slot + "/" + getClass().getSimpleName() + "/" + get("description").getAsString();
        JsonElement last = WidgetSession.recall(memory);
        if (last != null && accepts(decode(last))) {
            restore(valueKey(), last);
        }
    }

    @Override
    protected void changedByUser(String key, JsonElement value) {
        if (key.equals(valueKey())) {
            WidgetSession.remember(memory, value);
        }
    }

    @Override
    public String toString() {
        String d = get("description").getAsString();
        return getClass().getSimpleName() + "(" + (d.isEmpty() ? "" : d + ": ") + value() + ")";
    }
}
