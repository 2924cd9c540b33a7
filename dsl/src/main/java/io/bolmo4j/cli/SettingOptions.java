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
 * record appears in {@code --help} without a line here. A command names its records with
 * {@code @Command(modelTransformer = SettingOptions.Stage1Options.class)}, and reads the values back with
 * {@link #config}.
 */
abstract class SettingOptions implements IModelTransformer {
    private static final Pattern LEADING_SETTING = Pattern.compile("^([a-z][A-Za-z0-9]*) ");
    private final List<Record> records;
    private final boolean withDefaults;

    /**
     * @param withDefaults whether the options default to the records' values (else an unset option is null: the
     *                     settings of several records offered at once, applied only where given)
     */
    SettingOptions(boolean withDefaults, Record... records) {
        this.records = List.of(records);
        this.withDefaults = withDefaults;
    }

    @Override
    public CommandSpec transform(CommandSpec spec) {
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
        return spec;
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

    /** Stage 1's settings ({@code byteify}). */
    static final class Stage1Options extends SettingOptions {
        Stage1Options() {
            super(true, Stage1.Config.defaults());
        }
    }

    /** Stage 2's settings ({@code stage2}). */
    static final class Stage2Options extends SettingOptions {
        Stage2Options() {
            super(true, Stage2.Config.defaults());
        }
    }

    /** Both stages' settings, unset unless given ({@code export-run}: the stage is an option too), and the run's own. */
    static final class ExportRunOptions extends SettingOptions {
        ExportRunOptions() {
            super(false, Stage1.Config.defaults(), Stage2.Config.defaults());
        }

        @Override
        public CommandSpec transform(CommandSpec spec) { // the run's own settings with their defaults
            return new SettingOptions(true, BolmoCoreExport.Layout.defaults()) {}.transform(super.transform(spec));
        }
    }

    /** The merge's settings ({@code merge}). */
    static final class MergeOptions extends SettingOptions {
        MergeOptions() {
            super(true, TaskVectorMerge.Options.defaults());
        }
    }

    /** Pretraining's settings and the model's shape ({@code pretrain}). */
    static final class PretrainOptions extends SettingOptions {
        PretrainOptions() {
            super(true, OlmoPretrainer.Config.defaults(), PretrainCommand.Shape.DEFAULTS);
        }
    }

    /** Pretraining's settings with post-training's defaults ({@code finetune}). */
    static final class FinetuneOptions extends SettingOptions {
        FinetuneOptions() {
            super(true, FinetuneCommand.DEFAULTS);
        }
    }

    /** How text is sampled ({@code generate}, {@code chat}): the same options and defaults for both. */
    static final class SamplingSettings extends SettingOptions {
        SamplingSettings() {
            super(true, SamplingOptions.defaults());
        }
    }
}
