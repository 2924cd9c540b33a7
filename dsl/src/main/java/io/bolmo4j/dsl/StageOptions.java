package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.Stage1;
import io.bolmo4j.bolmo.Stage2;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;

import java.util.List;

/**
 * Settings of a training stage with small CPU-friendly defaults (paper Table 8 scaled down). Invalid values fail with
 * a message naming the setting when the stage starts.
 */
public final class StageOptions {
    int steps = 300;
    int batch = 8;
    int bytesPerExample = 256;
    Double lr;
    int encoderLayers = 4;
    double byteDistill = 1.0;
    double targetBytesPerPatch;
    int compressionSteps;
    long seed;
    Stage2.Merges merges = Stage2.Merges.BPE;
    List<String> texts;

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

    public StageOptions seed(long s) {
        seed = s;
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

    Stage1.Config stage1() {
        check();
        return new Stage1.Config(steps, batch, bytesPerExample, lr != null ? lr : 2e-3, 0.1, 0.1, 0.5, encoderLayers, 5.0, byteDistill, seed);
    }

    Stage2.Config stage2() {
        check();
        if (targetBytesPerPatch < 0) {
            throw new IllegalArgumentException("targetBytesPerPatch must be >= 0, got " + targetBytesPerPatch);
        }
        return new Stage2.Config(steps, batch, bytesPerExample, lr != null ? lr : 5e-4, 0.1, 0.1, 0.5, targetBytesPerPatch,
                compressionSteps > 0 ? compressionSteps : steps, merges, seed);
    }

    private void check() {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (bytesPerExample < 8) {
            throw new IllegalArgumentException("bytesPerExample must be >= 8, got " + bytesPerExample);
        }
        if (lr != null && !(lr > 0)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(byteDistill >= 0)) {
            throw new IllegalArgumentException("byteDistill must be >= 0, got " + byteDistill);
        }
    }
}
