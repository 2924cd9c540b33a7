package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

/** A check box. */
public final class Checkbox extends ValueWidget<Boolean, Checkbox> {
    /** An unchecked box. */
    public Checkbox() {
        super("CheckboxModel", "CheckboxView", false);
        set("indent", true);
    }

    @Override
    protected Boolean decode(JsonElement json) {
        return json.getAsBoolean();
    }
}
