package io.bolmo4j.train;

/**
 * A stage setting outside its range. The message names the setting (as the DSL's withers do) and the value given;
 * {@link #setting()} lets a front end name its own spelling instead, e.g. a command-line option.
 */
public final class SettingException extends IllegalArgumentException {
    private final String setting;
    private final String expected;
    private final transient Object value;

    SettingException(String setting, String expected, Object value) {
        super(setting + " must be " + expected + ", got " + value);
        this.setting = setting;
        this.expected = expected;
        this.value = value;
    }

    /** The setting's name in the stage's config record, e.g. {@code bytesPerExample}. */
    public String setting() {
        return setting;
    }

    /** The message with another name for the setting, e.g. {@code --bytes must be an integer >= 8, got 4}. */
    public String messageFor(String name) {
        return name + " must be " + expected + ", got " + value;
    }
}
