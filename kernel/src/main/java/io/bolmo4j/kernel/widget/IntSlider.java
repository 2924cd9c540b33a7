package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

/** A slider over integers from {@link #min} to {@link #max} in steps of {@link #step}. */
public final class IntSlider extends ValueWidget<Integer, IntSlider> {
    /** A slider over 0..100 at 50. */
    public IntSlider() {
        super("IntSliderModel", "IntSliderView", 50);
        set("min", 0);
        set("max", 100);
        set("step", 1);
        set("orientation", "horizontal");
        set("readout", true);
        set("readout_format", "d");
        set("continuous_update", true);
    }

    /** The smallest value (the value is moved into range). */
    public IntSlider min(int min) {
        set("min", min);
        return value(Math.max(min, value()));
    }

    /** The largest value (the value is moved into range). */
    public IntSlider max(int max) {
        set("max", max);
        return value(Math.min(max, value()));
    }

    /** The step between values. */
    public IntSlider step(int step) {
        set("step", step);
        return this;
    }

    /** Whether the value changes while the handle is dragged (true) or only when it is let go. */
    public IntSlider continuousUpdate(boolean continuous) {
        set("continuous_update", continuous);
        return this;
    }

    @Override
    protected Integer decode(JsonElement json) {
        return json.getAsInt();
    }

    @Override
    protected boolean accepts(Integer v) {
        return v >= get("min").getAsInt() && v <= get("max").getAsInt();
    }
}
