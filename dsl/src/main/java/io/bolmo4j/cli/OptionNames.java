package io.bolmo4j.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Errors in the command line's own words: a message that starts with a setting as the code names it
 * ({@code maxNewTokens must be >= 0}, {@code topP must be in (0, 1]}) names the option that sets it instead
 * ({@code --max-new}, {@code --top-p}), whichever layer below the command refused the value.
 */
final class OptionNames {
    private OptionNames() {}

    /** Settings whose option is not their name in kebab case. */
    private static final Map<String, String> RENAMED = Map.of("maxNewTokens", "--max-new", "bytesPerExample", "--bytes",
            "byteDistillWeight", "--byte-distill");
    private static final Pattern SETTING = Pattern.compile("^([a-z][A-Za-z0-9]*) ");

    /** {@code message} with a leading setting name replaced by the option of {@code command} that sets it. */
    static String of(CommandSpec command, String message) {
        Matcher m = SETTING.matcher(message);
        if (!m.find()) {
            return message;
        }
        String setting = m.group(1);
        String option = RENAMED.getOrDefault(setting, "--" + setting.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
        return command.findOption(option) != null ? option + message.substring(setting.length()) : message;
    }
}
