package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.bolmo.train.StageTrainer;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.train.Recipe;
import io.bolmo4j.train.Settings;
import io.bolmo4j.train.Trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Settings of a training stage: the stage's config record ({@link Stage1.Config}, {@link Stage2.Config}), starting
 * from its defaults (small CPU-friendly runs, paper Table 8 scaled down; the command line starts from the same), with
 * any of its settings changed by name ({@link #set}), plus the training texts, checkpoints and a step listener. An
 * invalid value fails at once with a message naming the setting and the value.
 */
public final class StageOptions {
    private final int stage;
    private Record config;
    private List<String> texts;
    private Trainer.Checkpoints checkpoints;
    private boolean resumeAnyway;
    private Consumer<Trainer.Step> onStep = s -> { };

    StageOptions(int stage) {
        this.stage = stage;
        this.config = stage == 1 ? Stage1.Config.defaults() : Stage2.Config.defaults();
    }

    /**
     * Sets any setting of the stage's config record, or of its loop, by its name, e.g. {@code set("warmupFraction",
     * 0.05)}: numbers, an enum constant, or text as on the command line ({@code set("merges", "entropy")}).
     */
    public StageOptions set(String setting, Object value) {
        if (!Settings.names(config).contains(setting)) {
            Record other = stage == 1 ? Stage2.Config.defaults() : Stage1.Config.defaults();
            throw new IllegalArgumentException(setting + (Settings.names(other).contains(setting)
                    ? " is one of the Stage " + (3 - stage) + " settings, not of Stage " + stage : " is no stage setting")
                    + "; Stage " + stage + " settings: " + String.join(", ", Settings.names(config)));
        }
        config = Settings.with(config, setting, value);
        return this;
    }

    /** Optimizer steps. */
    public StageOptions steps(int n) {
        return set("steps", n);
    }

    /** Examples per step. */
    public StageOptions batch(int n) {
        return set("batch", n);
    }

    /** Bytes per example. */
    public StageOptions bytesPerExample(int n) {
        return set("bytesPerExample", n);
    }

    /** Peak learning rate (Stage 2: of the local models; the global model gets half). */
    public StageOptions lr(double v) {
        return set("lr", v);
    }

    /** Seed of the batch order. */
    public StageOptions seed(long s) {
        return set("seed", s);
    }

    /**
     * Stage 1: weight of the byte-level distillation of the teacher's whole next-token distribution (0 is the paper's
     * Stage 1, which distils only the likelihood of the actual tokens). It makes the local decoder a closer stand-in
     * for the teacher's LM head, which is what a task-vector merge relies on.
     */
    public StageOptions byteDistill(double weight) {
        return set("byteDistillWeight", weight);
    }

    /** Stage 2: train towards this many bytes per patch (paper §5.1); 0 keeps the subword boundaries. */
    public StageOptions targetBytesPerPatch(double r) {
        return set("targetBytesPerPatch", r);
    }

    /** Starts from a whole config (the command line builds and checks its config before loading anything). */
    public <R extends Record & Recipe<R>> StageOptions config(R c) {
        Record expected = stage == 1 ? Stage1.Config.defaults() : Stage2.Config.defaults();
        if (c.getClass() != expected.getClass()) {
            throw new IllegalArgumentException("a " + c.getClass().getSimpleName() + " is not the config of Stage " + stage);
        }
        config = c;
        return this;
    }

    /**
     * Resumable checkpoints in {@code dir} every {@code every} steps: a stage started again with a checkpoint there
     * continues exactly where it left off (refused when its settings differ, unless {@link #resumeAnyway()}).
     */
    public StageOptions checkpoints(Path dir, int every) {
        checkpoints = new Trainer.Checkpoints(dir, every, false);
        return this;
    }

    /** Continues a checkpoint although it was made with other settings (they are listed on stderr). */
    public StageOptions resumeAnyway() {
        resumeAnyway = true;
        return this;
    }

    /** Also hands every logged step to {@code listener} (e.g. a CSV log), besides the model's history. */
    public StageOptions onStep(Consumer<Trainer.Step> listener) {
        onStep = listener;
        return this;
    }

    /** Training texts (default: the built-in corpus's training split). */
    public StageOptions texts(List<String> t) {
        texts = List.copyOf(t);
        return this;
    }

    List<String> trainingTexts() {
        return texts != null ? texts : BuiltinCorpus.train().stream().map(Document::text).toList();
    }

    void checkpointing(StageTrainer trainer) {
        if (checkpoints != null) {
            trainer.checkpoints(checkpoints.dir(), checkpoints.every(), resumeAnyway);
        }
    }

    Consumer<Trainer.Step> logging(Consumer<Trainer.Step> history) {
        return history.andThen(onStep);
    }

    Stage1.Config stage1() {
        return (Stage1.Config) config;
    }

    Stage2.Config stage2() {
        return (Stage2.Config) config;
    }
}
