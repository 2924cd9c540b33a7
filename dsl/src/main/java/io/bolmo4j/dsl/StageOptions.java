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
        this.config = defaults(stage);
    }

    private static Record defaults(int stage) {
        return stage == 1 ? Stage1.Config.defaults() : Stage2.Config.defaults();
    }

    /**
     * Sets any setting of the stage's config record, or of its loop, by its name, e.g. {@code set("lr", 1e-3)},
     * {@code set("bytesPerExample", 64)}, {@code set("byteDistillWeight", 0)}, {@code set("targetBytesPerPatch", 6)}:
     * a number, an enum constant, or text as on the command line ({@code set("schedule", "cosine")}). The names are
     * the record components' ({@link Stage1.Config}, {@link Stage2.Config}, {@link io.bolmo4j.train.Loop}); the
     * command-line options are the same in kebab case.
     */
    public StageOptions set(String setting, Object value) {
        if (!Settings.names(config).contains(setting)) {
            throw new IllegalArgumentException(setting + (Settings.names(defaults(3 - stage)).contains(setting)
                    ? " is one of the Stage " + (3 - stage) + " settings, not of Stage " + stage : " is no stage setting")
                    + "; Stage " + stage + " settings: " + String.join(", ", Settings.names(config)));
        }
        config = Settings.with(config, setting, value);
        return this;
    }

    /** Optimizer steps: {@code set("steps", n)}. */
    public StageOptions steps(int n) {
        return set("steps", n);
    }

    /** Starts from a whole config (the command line builds and checks its config before loading anything). */
    public <R extends Record & Recipe<R>> StageOptions config(R c) {
        if (c.getClass() != config.getClass()) {
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
