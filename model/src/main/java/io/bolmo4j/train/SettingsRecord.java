package io.bolmo4j.train;

/**
 * A record of settings ({@link Setting} components) that is changed by a setting's name, as the command line and the
 * DSL do: a training {@link Recipe}, the sampling options, a merge's or an exported run's options.
 *
 * @param <R> the record itself, which {@link #with} returns
 */
public interface SettingsRecord<R extends Record & SettingsRecord<R>> {
    /**
     * A copy with one setting (its own or a nested record's) changed by name, e.g. {@code defaults().with("lr", 1e-3)};
     * the value is validated as the record's constructor does, with a message naming the setting.
     */
    @SuppressWarnings("unchecked")
    default R with(String setting, Object value) {
        return Settings.with((R) this, setting, value);
    }
}
