package io.bolmo4j.bolmo.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Patches;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.Loop;
import io.bolmo4j.train.Recipe;
import io.bolmo4j.train.Setting;
import io.bolmo4j.train.Trainer;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static io.bolmo4j.train.Settings.require;

/**
 * Stage 1, subword-to-byte distillation (paper §3.2.1, docs/bolmo.md §6.3). The global model stays frozen; one teacher pass
 * gives the targets: its hidden state after layer n (for the encoder loss), its final hidden states (fed to the
 * decoder as oracle patch representations) and its next-token log-probabilities (for the exact patch distillation).
 * Loss = 4·L_boundary + 4·L_encoder + L_distill(τ) + L_CE, with teacher-forced subword boundaries, plus our
 * w·KL({@link ByteMarginals} ‖ decoder) (w = {@code byteDistillWeight}; 0 gives the paper's loss).
 */
public final class Stage1 extends StageTrainer {
    /**
     * Stage 1 settings (paper Table 8 for the schedule shape; sizes scaled for a CPU). {@link #defaults()} is the one
     * place the defaults live: the DSL and the command line both start from it and change settings by name
     * ({@link io.bolmo4j.train.Settings#with}).
     */
    public record Config(
            Loop loop,
            @Setting(value = "bytes per example", option = "--bytes") int bytesPerExample,
            @Setting("global layers the encoder loss looks through, n") int encoderLayers,
            @Setting("temperature τ of the exact patch distillation") double tau,
            @Setting(value = "weight of the byte-level distillation of the teacher's whole next-token distribution; 0 = the"
                    + " paper's Stage 1", option = "--byte-distill") double byteDistillWeight) implements Recipe<Config> {
        public Config {
            require(loop != null, "loop", "the loop settings", loop);
            require(bytesPerExample >= 8, "bytesPerExample", "an integer >= 8", bytesPerExample);
            require(encoderLayers >= 0, "encoderLayers", "an integer >= 0", encoderLayers);
            require(tau > 0 && Double.isFinite(tau), "tau", "a finite number > 0", tau);
            require(byteDistillWeight >= 0 && Double.isFinite(byteDistillWeight), "byteDistillWeight",
                    "a finite number >= 0", byteDistillWeight);
        }

        /**
         * 300 steps of 8 × 256 bytes at lr 4e-3, encoder loss through n = 4 layers, byte distillation weight 3. Against
         * the earlier lr 2e-3 and weight 1, on tiny-olmo: held-out bits/byte 1.33× the teacher's instead of 1.43× after
         * 150 steps; 1.26× instead of 1.29× after 250 steps at lr 4e-3 alone (lr 8e-3 fell back to 1.43×).
         */
        public static Config defaults() {
            return new Config(Loop.defaults().with("lr", 4e-3), 256, 4, 5.0, 3.0);
        }
    }

    /** Plain ids of space, tab and newline: "the next unit starts with whitespace" (the debiasing of docs/bolmo.md §6.3). */
    private static final long[] WHITESPACE = {ByteTokenizer.OFFSET + ' ', ByteTokenizer.OFFSET + '\t', ByteTokenizer.OFFSET + '\n'};

    private final OlmoModel teacher;
    private final long[] teacherWhitespace;
    private final ByteMarginals marginals;

    public Stage1(BolmoModel student, OlmoModel teacher, BpeTokenizer tokenizer) {
        super(student, tokenizer);
        this.teacher = teacher;
        marginals = new ByteMarginals(tokenizer);
        teacherWhitespace = marginals.idsStartingWith(" \t\n");
    }

    /** Trains on examples cut from {@code texts}, calling {@code onStep} after every step; returns the log. */
    public List<Trainer.Step> run(List<String> texts, Config config, Consumer<Trainer.Step> onStep) {
        // the global model stays frozen
        return train("stage 1", config, config.bytesPerExample(), texts, List.of(new Trainer.Trained(params(false), 1)),
                (batch, s) -> step(batch, config), onStep);
    }

    /** The teacher's layers (the global model): the local models start from the seed, a setting of their own. */
    @Override
    Map<String, NDArray> startingWeights() {
        return params(true);
    }

    /**
     * The losses of one Stage 1 step (paper §3.2.1): boundary BCE, encoder loss, exact patch distillation and byte
     * cross-entropy, bolmo4j's byte-level distillation (NaN when its weight is 0), and the boundary accuracy.
     */
    record StepLosses(double total, double boundaryBce, double encoder, double distill, double ce, double byteDistill,
                      double boundaryAccuracy) implements Trainer.StepLosses {
        @Override
        public Map<String, Double> parts() {
            Map<String, Double> parts = Trainer.StepLosses.super.parts();
            if (Double.isNaN(byteDistill)) {
                parts.remove("byte_distill"); // not computed: its weight is 0
            }
            return parts;
        }
    }

    /** The teacher's one pass over the batch: its states after layer n and after the last layer, and its log-probabilities. */
    private record TeacherPass(NDArray layerN, NDArray last, NDArray logp) {}

    /** Forward and backward of one batch: the loss of the class javadoc, its terms in that order. */
    private StepLosses step(TokenBatch bt, Config cfg) {
        int n = Math.min(cfg.encoderLayers(), student.global().numLayers());
        try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager m = student.params().manager();
            TeacherPass t = teacherPass(bt, m, n); // no gradient: its parameters are not trainable
            // The student's encoder and boundary predictor, pooled at the true subword boundaries.
            BolmoModel.Encoded enc = student.encode(bt.byteIds(m), bt.subwordIds(m));
            Patches patches = Patches.of(bt.ends);
            NDArray encoder = encoderLoss(student.global().forwardRange(student.pool(enc.h(), patches), 0, n), t.layerN(), bt.patchMask(m));
            // The decoder on the teacher's final states (oracle patch representations), fused head.
            NDArray logp = student.decode(enc.h(), patches, t.last()).logSoftmax(-1);
            NDArray byteMask = bt.byteMask(m);
            NDArray labelLogp = logp.gather(bt.labelIds(m), 2).squeeze(2);
            NDArray ce = Losses.masked(labelLogp.neg(), byteMask);
            NDArray distill = distillLoss(bt, m, t, logp, labelLogp.mul(byteMask), (float) cfg.tau());
            NDArray y = bt.boundaryTargets(m, bt.ends), boundaryMask = bt.boundaryMask(m, student.config().boundaryPredictorLookahead);
            NDArray bce = Losses.boundaryBce(enc.boundaryLogProb(), y, boundaryMask);
            NDArray total = bce.mul(Ops.scalar(bce, Losses.BOUNDARY_WEIGHT)).add(encoder.mul(Ops.scalar(bce, Losses.ENCODER_WEIGHT)))
                    .add(distill).add(ce);
            double byteDistill = Double.NaN;
            if (cfg.byteDistillWeight() > 0) {
                ByteMarginals.Targets kd = marginals.of(bt, t.logp().toFloatArray(), (int) t.logp().getShape().get(2));
                NDArray soft = Ops.floats(m, kd.probs(), bt.batch, bt.length, ByteTokenizer.VOCAB).mul(logp).sum(new int[] {-1}).neg();
                NDArray kl = Losses.masked(soft, Ops.floats(m, kd.mask(), bt.batch, bt.length));
                byteDistill = kl.getFloat() - kd.meanEntropy(); // KL = cross-entropy − the targets' entropy
                total = total.add(kl.mul(Ops.scalar(kl, (float) cfg.byteDistillWeight())));
            }
            gc.backward(total);
            return new StepLosses(total.getFloat(), bce.getFloat(), encoder.getFloat(), distill.getFloat(), ce.getFloat(),
                    byteDistill, Losses.boundaryAccuracy(enc.boundaryLogProb(), y, boundaryMask));
        }
    }

    private TeacherPass teacherPass(TokenBatch bt, NDManager m, int n) {
        NDArray layerN = teacher.stack().forwardRange(teacher.embed(bt.teacherIds(m)), 0, n);
        NDArray last = teacher.stack().forwardRange(layerN, n, teacher.stack().numLayers());
        return new TeacherPass(layerN, last, teacher.head(last).logSoftmax(-1));
    }

    /** L_encoder: the distance of the student's states after global layer n to the teacher's, per √d, over the patches. */
    private NDArray encoderLoss(NDArray studentN, NDArray teacherN, NDArray patchMask) {
        float perRootD = (float) (1 / Math.sqrt(student.config().hiddenSize));
        return Losses.masked(studentN.sub(teacherN).square().sum(new int[] {-1}).sqrt().mul(Ops.scalar(studentN, perRootD)), patchMask);
    }

    /**
     * L_distill(τ), the exact patch distillation: each patch's log-likelihood under the student (its bytes' fused
     * log-probabilities, plus "the next unit starts with whitespace" at its last byte) against the teacher's
     * log-probability of the token and of a whitespace-initial next token.
     */
    private NDArray distillLoss(TokenBatch bt, NDManager m, TeacherPass t, NDArray logp, NDArray maskedLabelLogp, float tau) {
        int b = bt.batch, p = bt.patches;
        float[] y = t.logp().gather(bt.targetIds(m), 2).toFloatArray();
        float[] wsT = logSumExp(t.logp().gather(Ops.longs(m, tile(teacherWhitespace, b * p), b, p, teacherWhitespace.length), 2))
                .toFloatArray();
        NDArray patchLl = bt.patchAssignment(m).matMul(maskedLabelLogp.expandDims(2)).squeeze(2);
        NDArray wsRows = logp.reshape(-1, ByteTokenizer.VOCAB).get(bt.lastBytesOfNextPatches(m));
        NDArray wsS = logSumExp(wsRows.gather(Ops.longs(m, tile(WHITESPACE, b * p), b * p, WHITESPACE.length), 1)).reshape(b, p);
        float[] teacherTarget = new float[b * p];
        for (int r = 0; r < b; r++) {
            for (int j = 0; j + 1 < p; j++) {
                teacherTarget[r * p + j] = y[r * p + j] + wsT[r * p + j + 1];
            }
        }
        return Losses.tauKl(Ops.floats(m, teacherTarget, b, p), patchLl.add(wsS), tau, bt.distillMask(m));
    }

    /** {@code log Σ exp} over the last axis. */
    static NDArray logSumExp(NDArray x) {
        NDArray max = x.max(new int[] {-1}, true);
        return x.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1));
    }

    private static long[] tile(long[] v, int times) {
        return LongStream.range(0, (long) v.length * times).map(i -> v[(int) (i % v.length)]).toArray();
    }
}
