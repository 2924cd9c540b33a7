package io.bolmo4j.train;

/**
 * The settings of one kind of training run, as a record: its own settings and the {@link Loop} every trainer shares.
 * Its components are what checkpoints record and what the command line and the DSL offer ({@link Settings}).
 *
 * @param <R> the record itself, which {@link #with} returns
 */
public interface Recipe<R extends Record & Recipe<R>> {
    Loop loop();

    /**
     * A copy with one setting (its own or the loop's) changed by name, e.g. {@code defaults().with("lr", 1e-3)}; the
     * value is validated as the record's constructor does, with a message naming the setting.
     */
    @SuppressWarnings("unchecked")
    default R with(String setting, Object value) {
        return Settings.with((R) this, setting, value);
    }
}
