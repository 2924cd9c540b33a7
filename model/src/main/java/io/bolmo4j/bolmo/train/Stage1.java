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
import io.bolmo4j.train.AdamW;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.LongStream;

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
     * place the defaults live: the DSL and the command line both start from it and change settings with the withers.
     */
    public record Config(int steps, int batch, int bytesPerExample, double lr, double warmupFraction, double weightDecay,
                         double clip, int encoderLayers, double tau, double byteDistillWeight, long seed) {
        public Config {
            StageTrainer.requireLoop(steps, batch, bytesPerExample, lr);
            StageTrainer.require(encoderLayers >= 0, "encoderLayers", "an integer >= 0", encoderLayers);
            StageTrainer.require(tau > 0 && Double.isFinite(tau), "tau", "a finite number > 0", tau);
            StageTrainer.require(byteDistillWeight >= 0 && Double.isFinite(byteDistillWeight), "byteDistillWeight",
                    "a finite number >= 0", byteDistillWeight);
        }

        /** 300 steps of 8 × 256 bytes at lr 2e-3, encoder loss through n = 4 layers, byte distillation weight 1. */
        public static Config defaults() {
            return new Config(300, 8, 256, 2e-3, 0.1, 0.1, 0.5, 4, 5.0, 1.0, 0);
        }

        public Config withSteps(int v) {
            return new Config(v, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, encoderLayers, tau, byteDistillWeight, seed);
        }

        public Config withBatch(int v) {
            return new Config(steps, v, bytesPerExample, lr, warmupFraction, weightDecay, clip, encoderLayers, tau, byteDistillWeight, seed);
        }

        public Config withBytesPerExample(int v) {
            return new Config(steps, batch, v, lr, warmupFraction, weightDecay, clip, encoderLayers, tau, byteDistillWeight, seed);
        }

        public Config withLr(double v) {
            return new Config(steps, batch, bytesPerExample, v, warmupFraction, weightDecay, clip, encoderLayers, tau, byteDistillWeight, seed);
        }

        public Config withEncoderLayers(int v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, v, tau, byteDistillWeight, seed);
        }

        public Config withByteDistillWeight(double v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, encoderLayers, tau, v, seed);
        }

        public Config withSeed(long v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, encoderLayers, tau, byteDistillWeight, v);
        }
    }

    /** Plain ids of space, tab and newline: "the next unit starts with whitespace" (the debiasing of docs/bolmo.md §6.3). */
    private static final long[] WHITESPACE = {ByteTokenizer.OFFSET + ' ', ByteTokenizer.OFFSET + '\t', ByteTokenizer.OFFSET + '\n'};

    private final OlmoModel teacher;
    private final long[] teacherWhitespace;
    private final ByteMarginals marginals;
    private Config cfg = Config.defaults();

    public Stage1(BolmoModel student, OlmoModel teacher, BpeTokenizer tokenizer) {
        super(student, tokenizer);
        this.teacher = teacher;
        marginals = new ByteMarginals(tokenizer);
        teacherWhitespace = marginals.idsStartingWith(" \t\n");
    }

    /** Trains on examples cut from {@code texts}, calling {@code onStep} after every step; returns the log. */
    public List<Step> run(List<String> texts, Config config, Consumer<Step> onStep) {
        this.cfg = config;
        return train(texts, new Loop(config.steps(), config.batch(), config.bytesPerExample(), config.lr(),
                config.warmupFraction(), config.clip(), config.seed()), config, "stage 1", onStep);
    }

    @Override
    List<AdamW.Group> groups() {
        return AdamW.decayGroups(params(false), 1, cfg.weightDecay(), StageTrainer::noDecay); // the global model stays frozen
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
                      double boundaryAccuracy) implements StageTrainer.StepLosses {
        @Override
        public Map<String, Double> parts() {
            Map<String, Double> parts = StageTrainer.StepLosses.super.parts();
            if (Double.isNaN(byteDistill)) {
                parts.remove("byte_distill"); // not computed: its weight is 0
            }
            return parts;
        }
    }

    /** Forward and backward of one batch. */
    @Override
    StepLosses step(Stage1Batch bt, int s) {
        int b = bt.batch, l = bt.length, p = bt.patches, d = student.config().hiddenSize;
        int lookahead = student.config().boundaryPredictorLookahead;
        int n = Math.min(cfg.encoderLayers(), student.global().numLayers());
        try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager m = student.params().manager();
            // Teacher: one pass, no gradient (its parameters are not trainable).
            NDArray tN = teacher.stack().forwardRange(teacher.embed(Ops.ids(m, flat(bt.teacherIds), b, p)), 0, n);
            NDArray tFinal = teacher.stack().forwardRange(tN, n, teacher.stack().numLayers());
            NDArray tLogp = teacher.head(tFinal).logSoftmax(-1);
            int[] targets = Arrays.stream(flat(bt.targets)).map(t -> Math.max(0, t)).toArray(); // no target (-1) reads id 0
            float[] y = tLogp.gather(Ops.ids(m, targets, b, p, 1), 2).toFloatArray();
            float[] wsT = logSumExp(tLogp.gather(Ops.longs(m, tile(teacherWhitespace, b * p), b, p, teacherWhitespace.length), 2))
                    .toFloatArray();

            // Student encoder, boundary predictor, pooling with the true subword boundaries.
            BolmoModel.Encoded enc = student.encode(Ops.ids(m, flat(bt.bytes), b, l), Ops.ids(m, flat(bt.subwords), b, l));
            NDArray logpB = enc.boundaryLogProb();
            Patches patches = Patches.of(bt.ends);
            NDArray z = student.pool(enc.h(), patches);
            NDArray sN = student.global().forwardRange(z, 0, n);
            float[] patchMask = new float[b * p];
            float[] distillMask = new float[b * p];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j <= bt.tokens[r]; j++) {
                    patchMask[r * p + j] = 1;
                    distillMask[r * p + j] = j < bt.tokens[r] ? 1 : 0;
                }
            }
            NDArray pm = Ops.floats(m, patchMask, b, p);
            NDArray encoderLoss = Losses.masked(sN.sub(tN).square().sum(new int[] {-1}).sqrt()
                    .mul(Ops.scalar(sN, (float) (1 / Math.sqrt(d)))), pm);

            // Decoder on the teacher's final states (oracle patch representations), fused head.
            NDArray logp = student.decode(enc.h(), patches, tFinal).logSoftmax(-1);
            float[] byteMask = new float[b * l];
            float[] bndMask = new float[b * l];
            float[] yB = new float[b * l];
            long[] lab = new long[b * l];
            float[] assign = new float[b * p * l];
            long[] lastOfNext = new long[b * p];
            for (int r = 0; r < b; r++) {
                int real = bt.realBytes[r];
                int patch = 0;
                for (int t = 0; t < l; t++) {
                    int i = r * l + t;
                    yB[i] = bt.ends[r][t] ? 1 : 0;
                    if (t + 1 < real) {
                        byteMask[i] = 1;
                        lab[i] = bt.labels[r][t];
                        // position t predicts byte t+1, which belongs to patch `next`; slot next−1 collects it
                        int next = patch + (bt.ends[r][t] ? 1 : 0);
                        if (next >= 1 && next - 1 < p) {
                            assign[(r * p + next - 1) * l + t] = 1;
                        }
                    }
                    bndMask[i] = t + 1 + lookahead < real ? 1 : 0; // the last lookahead position is excluded (docs/bolmo.md §6.2)
                    if (bt.ends[r][t]) {
                        if (patch + 1 < p + 1 && patch >= 1) {
                            lastOfNext[r * p + patch - 1] = (long) r * l + t; // last byte of patch `patch` = slot patch−1
                        }
                        patch++;
                    }
                }
            }
            NDArray bm = Ops.floats(m, byteMask, b, l);
            NDArray lpLabel = logp.gather(Ops.longs(m, lab, b, l, 1), 2).squeeze(2);
            NDArray ce = Losses.masked(lpLabel.neg(), bm);
            NDArray patchLl = Ops.floats(m, assign, b, p, l).matMul(lpLabel.mul(bm).expandDims(2)).squeeze(2);
            NDArray wsRows = logp.reshape(-1, ByteTokenizer.VOCAB).get(Ops.longs(m, lastOfNext, b * p));
            NDArray wsS = logSumExp(wsRows.gather(Ops.longs(m, tile(WHITESPACE, b * p), b * p, WHITESPACE.length), 1))
                    .reshape(b, p);
            float[] teacherTarget = new float[b * p];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j + 1 < p; j++) {
                    teacherTarget[r * p + j] = y[r * p + j] + wsT[r * p + j + 1];
                }
            }
            NDArray dm = Ops.floats(m, distillMask, b, p);
            NDArray distill = Losses.tauKl(Ops.floats(m, teacherTarget, b, p), patchLl.add(wsS), (float) cfg.tau(), dm);
            NDArray yND = Ops.floats(m, yB, b, l);
            NDArray bndM = Ops.floats(m, bndMask, b, l);
            NDArray bce = Losses.boundaryBce(logpB, yND, bndM);
            NDArray total = bce.mul(Ops.scalar(bce, Losses.BOUNDARY_WEIGHT)).add(encoderLoss.mul(Ops.scalar(bce, Losses.ENCODER_WEIGHT)))
                    .add(distill).add(ce);
            double byteDistill = Double.NaN;
            if (cfg.byteDistillWeight() > 0) {
                ByteMarginals.Targets kd = marginals.of(bt, tLogp.toFloatArray(), (int) tLogp.getShape().get(2));
                NDArray soft = Ops.floats(m, kd.probs(), b, l, ByteTokenizer.VOCAB).mul(logp).sum(new int[] {-1}).neg();
                NDArray kl = Losses.masked(soft, Ops.floats(m, kd.mask(), b, l));
                byteDistill = kl.getFloat() - kd.meanEntropy(); // KL = cross-entropy − the targets' entropy
                total = total.add(kl.mul(Ops.scalar(kl, (float) cfg.byteDistillWeight())));
            }
            gc.backward(total);
            return new StepLosses(total.getFloat(), bce.getFloat(), encoderLoss.getFloat(), distill.getFloat(), ce.getFloat(),
                    byteDistill, Losses.boundaryAccuracy(logpB, yND, bndM));
        }
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
