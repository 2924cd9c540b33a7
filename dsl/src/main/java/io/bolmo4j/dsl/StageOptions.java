package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.bolmo.train.StageTrainer;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Settings of a training stage. What is not set keeps the stage's defaults ({@link Stage1.Config#defaults()},
 * {@link Stage2.Config#defaults()}: small CPU-friendly runs, paper Table 8 scaled down), the same defaults the command
 * line uses. Invalid values fail with a message naming the setting and the value when the stage starts.
 */
public final class StageOptions {
    private Integer steps;
    private Integer batch;
    private Integer bytesPerExample;
    private Double lr;
    private Integer encoderLayers;
    private Double byteDistill;
    private Double targetBytesPerPatch;
    private Integer compressionSteps;
    private Long seed;
    private Stage2.Merges merges;
    private List<String> texts;
    private Stage1.Config stage1;
    private Stage2.Config stage2;
    private Path checkpointDir;
    private int checkpointEvery;
    private boolean resumeAnyway;
    private Consumer<StageTrainer.Step> onStep = s -> { };

    StageOptions() {}

    /** Optimizer steps (default 300). */
    public StageOptions steps(int n) {
        steps = n;
        return this;
    }

    /** Examples per step (default 8). */
    public StageOptions batch(int n) {
        batch = n;
        return this;
    }

    /** Bytes per example (default 256). */
    public StageOptions bytesPerExample(int n) {
        bytesPerExample = n;
        return this;
    }

    /** Peak learning rate (Stage 1 default 2e-3; Stage 2 default 5e-4 local, half for the global model). */
    public StageOptions lr(double v) {
        lr = v;
        return this;
    }

    /** Stage 1: global layers the encoder loss looks through, n (default 4, the paper's choice). */
    public StageOptions encoderLayers(int n) {
        encoderLayers = n;
        return this;
    }

    /**
     * Stage 1: weight of the byte-level distillation of the teacher's whole next-token distribution (default 1; 0 is
     * the paper's Stage 1, which distils only the likelihood of the actual tokens). It makes the local decoder a
     * closer stand-in for the teacher's LM head, which is what a task-vector merge relies on.
     */
    public StageOptions byteDistill(double weight) {
        byteDistill = weight;
        return this;
    }

    /** Stage 2: train towards this many bytes per patch (paper §5.1); 0 keeps the subword boundaries. */
    public StageOptions targetBytesPerPatch(double r) {
        targetBytesPerPatch = r;
        return this;
    }

    /** Stage 2: steps over which the compression target ramps up (default: all steps). */
    public StageOptions compressionSteps(int n) {
        compressionSteps = n;
        return this;
    }

    /** Stage 2: how compressed targets are merged: BPE (default), ENTROPY or CROSS_ENTROPY (scored by the teacher). */
    public StageOptions merges(Stage2.Merges m) {
        merges = m;
        return this;
    }

    /** Seed of batches, merges and initialisation order (default 0). */
    public StageOptions seed(long s) {
        seed = s;
        return this;
    }

    /**
     * Starts from a whole Stage 1 config instead of {@link Stage1.Config#defaults()}; the other settings still apply on
     * top (the command line builds and checks its config before loading anything, then hands it over).
     */
    public StageOptions config(Stage1.Config c) {
        stage1 = c;
        return this;
    }

    /** As {@link #config(Stage1.Config)}, for Stage 2. */
    public StageOptions config(Stage2.Config c) {
        stage2 = c;
        return this;
    }

    /**
     * Resumable checkpoints in {@code dir} every {@code every} steps: a stage started again with a checkpoint there
     * continues exactly where it left off (refused when its settings differ, unless {@link #resumeAnyway()}).
     */
    public StageOptions checkpoints(Path dir, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("checkpoint interval must be at least 1 step, got " + every);
        }
        checkpointDir = dir;
        checkpointEvery = every;
        return this;
    }

    /** Continues a checkpoint although it was made with other settings (they are listed on stderr). */
    public StageOptions resumeAnyway() {
        resumeAnyway = true;
        return this;
    }

    /** Also hands every logged step to {@code listener} (e.g. a CSV log), besides the model's history. */
    public StageOptions onStep(Consumer<StageTrainer.Step> listener) {
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
        if (checkpointDir != null) {
            trainer.checkpoints(checkpointDir, checkpointEvery, resumeAnyway);
        }
    }

    Consumer<StageTrainer.Step> logging(Consumer<StageTrainer.Step> history) {
        return history.andThen(onStep);
    }

    Stage1.Config stage1() {
        if (targetBytesPerPatch != null || compressionSteps != null || merges != null || stage2 != null) {
            throw new IllegalArgumentException("targetBytesPerPatch, compressionSteps, merges and a Stage 2 config are Stage 2 settings");
        }
        Stage1.Config c = stage1 != null ? stage1 : Stage1.Config.defaults();
        c = steps != null ? c.withSteps(steps) : c;
        c = batch != null ? c.withBatch(batch) : c;
        c = bytesPerExample != null ? c.withBytesPerExample(bytesPerExample) : c;
        c = lr != null ? c.withLr(lr) : c;
        c = encoderLayers != null ? c.withEncoderLayers(encoderLayers) : c;
        c = byteDistill != null ? c.withByteDistillWeight(byteDistill) : c;
        return seed != null ? c.withSeed(seed) : c;
    }

    Stage2.Config stage2() {
        if (encoderLayers != null || byteDistill != null || stage1 != null) {
            throw new IllegalArgumentException("encoderLayers, byteDistill and a Stage 1 config are Stage 1 settings");
        }
        Stage2.Config c = stage2 != null ? stage2 : Stage2.Config.defaults();
        c = steps != null ? c.withSteps(steps) : c;
        c = batch != null ? c.withBatch(batch) : c;
        c = bytesPerExample != null ? c.withBytesPerExample(bytesPerExample) : c;
        c = lr != null ? c.withLr(lr) : c;
        c = targetBytesPerPatch != null ? c.withTargetBytesPerPatch(targetBytesPerPatch) : c;
        c = compressionSteps != null ? c.withCompressionSteps(compressionSteps) : c;
        c = merges != null ? c.withMerges(merges) : c;
        return seed != null ? c.withSeed(seed) : c;
    }
}
