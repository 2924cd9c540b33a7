package io.bolmo4j.cli;

import io.bolmo4j.bolmo.eval.BolmoEval;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.train.StepLog;
import io.bolmo4j.train.TrainCheckpoint;
import io.bolmo4j.train.Trainer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Options that Stage 1 ({@code byteify}) and Stage 2 share besides the stage's settings ({@link SettingOptions}): the
 * output folder, the data, the held-out report, checkpoints.
 */
final class StageOptions {
    @Option(names = "--out", required = true, description = "output Bolmo directory")
    Path out;

    @Mixin
    Outputs outputs;

    @Option(names = "--data", description = "training text: a file, directory or Dolma JSONL(.gz) (default: the built-in corpus)")
    Path data;

    @Option(names = "--eval-bytes", defaultValue = "" + BolmoEval.DEFAULT_HELD_OUT, description = "held-out characters for the report, an equal share of each built-in"
            + " source (default ${DEFAULT-VALUE})")
    int evalBytes;

    @Option(names = "--checkpoint-every", defaultValue = "100",
            description = "steps between resumable checkpoints in OUT/<stage>_checkpoint; a killed run started again"
                    + " with the same options continues from the last one (default ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--resume-anyway", description = "continue a checkpoint in OUT although it was made with other options"
            + " (they are listed); without it such a run is refused")
    boolean resumeAnyway;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Where a command's stage keeps its resumable checkpoint. */
    static Path checkpointDir(Path out, String stage) {
        return out.resolve(stage + "_checkpoint");
    }

    /** What an interrupted run of {@code stage} leaves in its output folder (and continues from). */
    static List<String> resumable(String stage) {
        List<String> names = new ArrayList<>(TrainCheckpoint.names(stage + "_checkpoint"));
        names.add(stage + "_log.csv");
        return names;
    }

    /**
     * The stage's config from its options ({@link SettingOptions}), built before anything is loaded or written; a
     * setting out of range is a usage error that names its option and the value given.
     */
    <R extends Record> R config(R defaults) {
        if (checkpointEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-every must be an integer >= 1, got " + checkpointEvery);
        }
        BolmoEval.requireHeldOut("--eval-bytes", evalBytes); // the report comes after training: refuse before it
        return SettingOptions.config(spec, defaults);
    }

    /** The step log's columns: step, lr, loss, its named parts, bytes/s. */
    private static String header(Trainer.Step s) {
        return "step,lr," + String.join(",", s.parts().keySet()) + ",bytes_per_s";
    }

    private static String row(Trainer.Step s) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%.6g", s.step(), s.lr()));
        s.parts().values().forEach(v -> row.append(String.format(Locale.ROOT, ",%.6g", v)));
        return row.append(String.format(Locale.ROOT, ",%.1f", s.perSecond())).toString();
    }

    /** The training texts. */
    List<String> texts() {
        Corpus corpus = data != null ? Corpus.of(data) : BuiltinCorpus.train();
        return corpus.stream().map(Document::text).toList();
    }

    /**
     * Runs one stage of {@code bolmo} through the DSL ({@code Bolmo::stage1} or {@code Bolmo::stage2}) with these
     * options' data, resumable checkpoints and a step log ({@code OUT/<stage>_log.csv}); then saves the model to
     * {@code out}, removes the finished checkpoint and reports the held-out figures (also {@code OUT/<stage>_eval.json}).
     */
    void train(Bolmo bolmo, String stage, BiConsumer<Bolmo, Consumer<io.bolmo4j.dsl.StageOptions>> runStage,
               Consumer<io.bolmo4j.dsl.StageOptions> settings) {
        List<String> texts = texts();
        Path checkpoint = checkpointDir(out, stage);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        try (StepLog log = new StepLog(out.resolve(stage + "_log.csv"), StageOptions::header, StageOptions::row)) {
            runStage.accept(bolmo, s -> {
                settings.accept(s);
                s.texts(texts).checkpoints(checkpoint, checkpointEvery).onStep(log);
                if (resumeAnyway) {
                    s.resumeAnyway();
                }
            });
        }
        bolmo.save(out);
        TrainCheckpoint.delete(checkpoint); // the model is saved: a new run starts afresh
        BolmoEval.Result r = bolmo.evaluation(evalBytes);
        Path report = out.resolve(stage + "_eval.json");
        try {
            HfCheckpoint.writeAtomically(report, (r.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report + ": " + e.getMessage(), e);
        }
        System.out.println("held-out: " + r);
        System.out.println("wrote " + out);
    }
}
