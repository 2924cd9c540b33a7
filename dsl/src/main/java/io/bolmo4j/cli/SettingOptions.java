package io.bolmo4j.cli;

import io.bolmo4j.bolmo.merge.TaskVectorMerge;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.export.BolmoCoreExport;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.train.OlmoPretrainer;
import io.bolmo4j.train.SettingException;
import io.bolmo4j.train.Settings;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line options derived from settings records ({@link Settings}): one option per setting, named, described
 * and defaulted by the record ({@code @Setting} on its components, its {@code defaults()}), so a setting added to a
 * record appears in {@code --help} without a line here. A command has its records' options with
 * {@code @Command(modelTransformer = SettingOptions.class)} and an entry in {@link #DEFAULTED}, and reads the values
 * back with {@link #config}.
 */
final class SettingOptions implements IModelTransformer {
    private static final Pattern LEADING_SETTING = Pattern.compile("^([a-z][A-Za-z0-9]*) ");

    /** Each command's settings records, by the command's name; the options default to the records' values. */
    private static final Map<String, List<Record>> DEFAULTED = Map.of(
            "byteify", List.of(Stage1.Config.defaults()),
            "stage2", List.of(Stage2.Config.defaults()),
            "export-run", List.of(BolmoCoreExport.Layout.defaults()), // the run's own settings
            "merge", List.of(TaskVectorMerge.Options.defaults()),
            "pretrain", List.of(OlmoPretrainer.Config.defaults(), PretrainCommand.Shape.DEFAULTS), // and the model's shape
            "finetune", List.of(FinetuneCommand.DEFAULTS), // pretraining's settings with post-training's defaults
            "generate", List.of(SamplingOptions.defaults()), // how text is sampled: the same options and defaults
            "chat", List.of(SamplingOptions.defaults())); // for both

    /**
     * Settings records offered with their options unset unless given (an unset option is null): the settings of
     * several records offered at once, applied only where given ({@code export-run}: the stage is an option too).
     */
    private static final Map<String, List<Record>> UNSET = Map.of(
            "export-run", List.of(Stage1.Config.defaults(), Stage2.Config.defaults()));

    @Override
    public CommandSpec transform(CommandSpec spec) {
        add(spec, UNSET.getOrDefault(spec.name(), List.of()), false);
        add(spec, DEFAULTED.get(spec.name()), true);
        return spec;
    }

    private static void add(CommandSpec spec, List<Record> records, boolean withDefaults) {
        for (Record r : records) {
            for (Settings.Entry e : Settings.of(r)) {
                if (spec.findOption(e.option()) != null) {
                    continue; // the same setting in two records (export-run's stages)
                }
                OptionSpec.Builder o = OptionSpec.builder(e.option()).type(box(e.type())).userObject(e.name())
                        .paramLabel("<" + e.option().substring(2) + ">");
                String candidates = e.type().isEnum() ? ": ${COMPLETION-CANDIDATES}" : "";
                if (withDefaults) {
                    o.defaultValue(String.valueOf(e.value())).description(e.help() + candidates + " (default ${DEFAULT-VALUE})");
                } else {
                    o.description(e.help() + candidates);
                }
                spec.addOption(o.build());
            }
        }
    }

    /**
     * {@code defaults} with every setting its option holds; a value out of range is a usage error that names the
     * option and the value given, before anything is loaded or written.
     */
    static <R extends Record> R config(CommandSpec spec, R defaults) {
        given(spec, defaults);
        return applied(spec, defaults);
    }

    /**
     * {@code defaults} with every setting its option holds, as the record's own validation takes them: a value out
     * of range is the command's error (exit code 1, named by {@link #inOptionWords}), as one a layer below refuses.
     */
    static <R extends Record> R applied(CommandSpec spec, R defaults) {
        R config = defaults;
        for (Map.Entry<String, Object> e : held(spec, defaults).entrySet()) {
            config = Settings.with(config, e.getKey(), e.getValue());
        }
        return config;
    }

    /** The settings of {@code record} whose options hold a value (all of them where the options have defaults). */
    static Map<String, Object> given(CommandSpec spec, Record record) {
        Map<String, Object> values = held(spec, record);
        try {
            values.forEach((name, value) -> Settings.with(record, name, value)); // each on its own, to name its option
        } catch (SettingException e) {
            throw new ParameterException(spec.commandLine(), e.messageFor(Settings.entry(record, e.setting()).option()));
        }
        return values;
    }

    private static Map<String, Object> held(CommandSpec spec, Record record) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Settings.Entry e : Settings.of(record)) {
            Object value = spec.findOption(e.option()).getValue();
            if (value != null) {
                values.put(e.name(), value);
            }
        }
        return values;
    }

    /**
     * {@code message} in the command line's own words: a leading setting name as the code spells it
     * ({@code maxNewTokens must be >= 0}, {@code alpha must be finite}) becomes the option of {@code command} that sets
     * it ({@code --max-new}, {@code --alpha}), whichever layer below the command refused the value. A derived option is
     * found by its setting, any other by the setting's name in kebab case; a message naming none is kept as it is.
     */
    static String inOptionWords(CommandSpec command, String message) {
        Matcher m = LEADING_SETTING.matcher(message);
        if (!m.find()) {
            return message;
        }
        String setting = m.group(1);
        String option = command.options().stream().filter(o -> setting.equals(o.userObject())).map(OptionSpec::longestName)
                .findFirst().orElse("--" + Settings.kebab(setting));
        return command.findOption(option) != null ? option + message.substring(setting.length()) : message;
    }

    private static Class<?> box(Class<?> type) {
        return type == int.class ? Integer.class : type == long.class ? Long.class : type == double.class ? Double.class
                : type == boolean.class ? Boolean.class : type;
    }
}
