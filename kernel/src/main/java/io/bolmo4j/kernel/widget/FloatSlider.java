package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

/** A slider over numbers. */
public final class FloatSlider extends Slider<Double, FloatSlider> {
    /** A slider over 0..10 in steps of 0.1, at 0. */
    public FloatSlider() {
        super("FloatSliderModel", "FloatSliderView", 0.0, 10.0, 0.1, 0.0, ".2f");
    }

    /** The readout's format, Python style ({@code ".2f"}, {@code ".0%"}). */
    public FloatSlider readoutFormat(String format) {
        set("readout_format", format);
        return this;
    }

    @Override
    protected Double of(Number n) {
        return n.doubleValue();
    }

    @Override
    protected Double decode(JsonElement json) {
        return json.getAsDouble();
    }
}
