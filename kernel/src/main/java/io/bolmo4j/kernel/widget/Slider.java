package io.bolmo4j.kernel.widget;

/**
 * A slider over numbers from {@link #min} to {@link #max} in steps of {@link #step} (any {@link Number}, so that
 * {@code min(0)} reads the same on every slider); a value set out of range is moved into it.
 *
 * @param <T> the numbers' type
 * @param <W> the slider's own type, returned by the fluent setters
 */
public abstract class Slider<T extends Number & Comparable<T>, W extends Slider<T, W>> extends ValueWidget<T, W> {
    protected Slider(String modelName, String viewName, T min, T max, T step, T value, String readoutFormat) {
        super(modelName, viewName, value);
        set("min", min);
        set("max", max);
        set("step", step);
        set("orientation", "horizontal");
        set("readout", true);
        set("readout_format", readoutFormat);
        set("continuous_update", true);
    }

    @SuppressWarnings("unchecked")
    private W self() {
        return (W) this;
    }

    /** {@code n} as this slider's type; a number it cannot hold exactly is an {@link IllegalArgumentException}. */
    protected abstract T of(Number n);

    /** The smallest value. */
    public W min(Number min) {
        T m = of(min);
        set("min", m);
        return value().compareTo(m) < 0 ? value(m) : self();
    }

    /** The largest value. */
    public W max(Number max) {
        T m = of(max);
        set("max", m);
        return value().compareTo(m) > 0 ? value(m) : self();
    }

    /** The step between values. */
    public W step(Number step) {
        set("step", of(step));
        return self();
    }

    /** Whether the value changes while the handle is dragged (true) or only when it is let go. */
    public W continuousUpdate(boolean continuous) {
        set("continuous_update", continuous);
        return self();
    }

    @Override
    protected boolean accepts(T v) {
        return v.compareTo(decode(get("min"))) >= 0 && v.compareTo(decode(get("max"))) <= 0;
    }
}
