package io.bolmo4j.cli;

import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.LoadedOlmo;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** The OLMo or Bolmo checkpoint that a text command ({@code generate}, {@code score}, {@code chat}) loads. */
final class TextModel {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class,
            description = "checkpoint directory (or tiny-olmo, tiny-olmo-instruct, tiny-qwen3, or a Hub model ORG/NAME[@REV])")
    Path dir;

    @Option(names = "--subword-tokenizer", paramLabel = "FILE",
            description = "Bolmo: the teacher's tokenizer.json, when the directory has none")
    Path subwordTokenizer;

    @Option(names = "--dtype", defaultValue = "float32", converter = WeightTypeOption.class,
            description = WeightTypeOption.DESCRIPTION)
    WeightType dtype;

    @Mixin
    EngineOption engine;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** How to sample, from the command's sampling options ({@code generate}, {@code chat}: {@link SettingOptions}). */
    SamplingOptions sampling() {
        return SettingOptions.config(spec, SamplingOptions.defaults());
    }

    /** Loads the checkpoint on the chosen engine, applies {@code bolmo} or {@code olmo} to it by its kind, and closes it. */
    <R> R apply(Function<LoadedBolmo, R> bolmo, Function<LoadedOlmo, R> olmo) {
        if (subwordTokenizer != null && !Files.isRegularFile(subwordTokenizer)) {
            throw new IllegalArgumentException("--subword-tokenizer " + subwordTokenizer
                    + (Files.exists(subwordTokenizer) ? " is not a regular file" : ": no such file"));
        }
        engine.apply();
        if (BolmoCheckpoint.isBolmo(dir)) {
            try (LoadedBolmo lm = LoadedBolmo.load(dir, subwordTokenizer, dtype)) {
                return bolmo.apply(lm);
            }
        }
        try (LoadedOlmo lm = LoadedOlmo.load(dir, dtype)) {
            return olmo.apply(lm);
        }
    }
}
