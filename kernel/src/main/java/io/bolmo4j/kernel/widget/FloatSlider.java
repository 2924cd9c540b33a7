package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

/** A slider over numbers from {@link #min} to {@link #max} in steps of {@link #step}. */
public final class FloatSlider extends ValueWidget<Double, FloatSlider> {
    /** A slider over 0..10 in steps of 0.1, at 0. */
    public FloatSlider() {
        super("FloatSliderModel", "FloatSliderView", 0.0);
        set("min", 0.0);
        set("max", 10.0);
        set("step", 0.1);
        set("orientation", "horizontal");
        set("readout", true);
        set("readout_format", ".2f");
        set("continuous_update", true);
    }

    /** The smallest value (the value is moved into range). */
    public FloatSlider min(double min) {
        set("min", min);
        return value(Math.max(min, value()));
    }

    /** The largest value (the value is moved into range). */
    public FloatSlider max(double max) {
        set("max", max);
        return value(Math.min(max, value()));
    }

    /** The step between values. */
    public FloatSlider step(double step) {
        set("step", step);
        return this;
    }

    /** The readout's format, Python style ({@code ".2f"}, {@code ".0%"}). */
    public FloatSlider readoutFormat(String format) {
        set("readout_format", format);
        return this;
    }

    /** Whether the value changes while the handle is dragged (true) or only when it is let go. */
    public FloatSlider continuousUpdate(boolean continuous) {
        set("continuous_update", continuous);
        return this;
    }

    @Override
    protected Double decode(JsonElement json) {
        return json.getAsDouble();
    }

    @Override
    protected boolean accepts(Double v) {
        return v >= get("min").getAsDouble() && v <= get("max").getAsDouble();
    }
}
