package io.bolmo4j.train;

/**
 * The settings of one kind of training run, as a record: its own settings and the {@link Loop} every trainer shares.
 * Its components are what checkpoints record and what the command line and the DSL offer ({@link Settings}).
 *
 * @param <R> the record itself, which {@link #with} returns
 */
public interface Recipe<R extends Record & Recipe<R>> extends SettingsRecord<R> {
    Loop loop();
}
