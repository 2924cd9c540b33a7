package io.bolmo4j.kernel.widget;

import com.google.gson.JsonElement;

/** A slider over integers. */
public final class IntSlider extends Slider<Integer, IntSlider> {
    /** A slider over 0..100 in steps of 1, at 50. */
    public IntSlider() {
        super("IntSliderModel", "IntSliderView", 0, 100, 1, 50, "d");
    }

    @Override
    protected Integer of(Number n) {
        if (n.doubleValue() != n.intValue()) {
            throw new IllegalArgumentException("an IntSlider takes whole numbers, got " + n);
        }
        return n.intValue();
    }

    @Override
    protected Integer decode(JsonElement json) {
        return json.getAsInt();
    }
}
