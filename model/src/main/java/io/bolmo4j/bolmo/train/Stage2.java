package io.bolmo4j.bolmo.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.AdamW;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Stage 2, end-to-end training (paper §3.2.2, docs/bolmo.md §6.4): every parameter trains, the global model at half the local
 * learning rate; the forward uses the predictor's boundaries, so the decoder learns to emit them as fused ids; the
 * loss is {@code CE + 4·L_boundary}. Optionally the boundary targets are compressed towards a target bytes-per-patch
 * with per-example BPE merges on a linear schedule (paper §5.1).
 */
public final class Stage2 extends StageTrainer {
    /**
     * Stage 2 settings; {@link #defaults()} is the one place the defaults live (the DSL and the command line start
     * from it).
     *
     * @param targetBytesPerPatch 0 keeps the subword boundaries; above the natural ratio, targets are merged towards it
     * @param compressionSteps steps over which the target ratio moves from the natural ratio to the target; 0 = all
     */
    public record Config(int steps, int batch, int bytesPerExample, double lr, double warmupFraction, double weightDecay,
                         double clip, double targetBytesPerPatch, int compressionSteps, Merges merges, long seed) {
        public Config {
            StageTrainer.requireLoop(steps, batch, bytesPerExample, lr);
            // merges only lengthen patches, and a patch holds at least one byte: a target in (0, 1] would train as 0
            StageTrainer.require(targetBytesPerPatch == 0 || targetBytesPerPatch > 1 && Double.isFinite(targetBytesPerPatch),
                    "targetBytesPerPatch", "0 (the subword boundaries) or a finite number > 1", targetBytesPerPatch);
            StageTrainer.require(compressionSteps >= 0, "compressionSteps", "an integer >= 0", compressionSteps);
            StageTrainer.require(merges != null, "merges", "one of " + Arrays.toString(Merges.values()), merges);
        }

        /** 300 steps of 8 × 256 bytes at local lr 5e-4 (the global model gets half), subword boundaries. */
        public static Config defaults() {
            return new Config(300, 8, 256, 5e-4, 0.1, 0.1, 0.5, 0, 0, Merges.BPE, 0);
        }

        public Config withSteps(int v) {
            return new Config(v, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, targetBytesPerPatch, compressionSteps, merges, seed);
        }

        public Config withBatch(int v) {
            return new Config(steps, v, bytesPerExample, lr, warmupFraction, weightDecay, clip, targetBytesPerPatch, compressionSteps, merges, seed);
        }

        public Config withBytesPerExample(int v) {
            return new Config(steps, batch, v, lr, warmupFraction, weightDecay, clip, targetBytesPerPatch, compressionSteps, merges, seed);
        }

        public Config withLr(double v) {
            return new Config(steps, batch, bytesPerExample, v, warmupFraction, weightDecay, clip, targetBytesPerPatch, compressionSteps, merges, seed);
        }

        public Config withTargetBytesPerPatch(double v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, v, compressionSteps, merges, seed);
        }

        public Config withCompressionSteps(int v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, targetBytesPerPatch, v, merges, seed);
        }

        public Config withMerges(Merges v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, targetBytesPerPatch, compressionSteps, v, seed);
        }

        public Config withSeed(long v) {
            return new Config(steps, batch, bytesPerExample, lr, warmupFraction, weightDecay, clip, targetBytesPerPatch, compressionSteps, merges, v);
        }
    }

    /**
     * How boundary targets are merged for higher compression (docs/bolmo.md §7): per-example BPE merges, or merges of the most
     * predictable adjacent tokens by the teacher's negative next-token entropy or by the log-probability of the actual
     * next token (both need a teacher).
     */
    public enum Merges { BPE, ENTROPY, CROSS_ENTROPY }

    private Config cfg = Config.defaults();
    private final Random mergeRng = new Random(0);
    private final OlmoModel teacher;

    public Stage2(BolmoModel student, BpeTokenizer tokenizer) {
        this(student, tokenizer, null);
    }

    /** With a teacher for entropy / cross-entropy merge targets. */
    public Stage2(BolmoModel student, BpeTokenizer tokenizer, OlmoModel teacher) {
        super(student, tokenizer);
        this.teacher = teacher;
    }

    public List<Step> run(List<String> texts, Config config, Consumer<Step> onStep) {
        this.cfg = config;
        if (config.merges() != Merges.BPE && config.targetBytesPerPatch() > 0 && teacher == null) {
            throw new IllegalArgumentException(config.merges() + " merges score tokens with the teacher: construct Stage2 with one");
        }
        return train(texts, new Loop(config.steps(), config.batch(), config.bytesPerExample(), config.lr(),
                config.warmupFraction(), config.clip(), config.seed()), config, "stage 2", onStep);
    }

    @Override
    List<AdamW.Group> groups() {
        List<AdamW.Group> g = new ArrayList<>(AdamW.decayGroups(params(false), 1, cfg.weightDecay(), StageTrainer::noDecay));
        g.addAll(AdamW.decayGroups(params(true), 0.5, cfg.weightDecay(), StageTrainer::noDecay)); // paper Table 8: half the local rate
        return g;
    }

    /** The boundary targets at step {@code s}: subword ends, merged towards the scheduled ratio. */
    boolean[][] targets(Stage1Batch bt, int[][] rows, int s) {
        if (cfg.targetBytesPerPatch() <= 0) {
            return bt.ends;
        }
        boolean[][] out = new boolean[bt.batch][bt.length];
        mergeRng.setSeed(cfg.seed() * 1_000_003L + s); // merges depend on (seed, step) only, so a resumed run repeats them
        for (int r = 0; r < bt.batch; r++) {
            // patch lengths: the BOS patch, then one per token
            List<Integer> lens = IntStream.concat(IntStream.of(1), Arrays.stream(rows[r]).map(id -> tokenizer.tokenBytes(id).length))
                    .boxed().toList();
            double natural = (double) bt.realBytes[r] / lens.size();
            double frac = Math.min(1, (double) s / Math.max(1, cfg.compressionSteps() > 0 ? cfg.compressionSteps() : cfg.steps()));
            double ratio = natural + (cfg.targetBytesPerPatch() - natural) * frac;
            List<Integer> order = cfg.merges() == Merges.BPE ? PatchMerges.bpe(rows[r], mergeRng)
                    : PatchMerges.byScore(teacherScores(rows[r]), mergeRng);
            List<Integer> merged = PatchMerges.apply(lens, order, ratio, bt.realBytes[r]);
            int pos = -1;
            for (int len : merged) {
                pos += len;
                out[r][pos] = true;
            }
        }
        return out;
    }

    /**
     * Per-token teacher scores for score merges: at the position that predicts token i, the negative entropy of the
     * next-token distribution (ENTROPY) or the log-probability of token i itself (CROSS_ENTROPY).
     */
    double[] teacherScores(int[] tokens) {
        int n = tokens.length;
        int[] in = IntStream.concat(IntStream.of(tokenizer.eosId()), Arrays.stream(tokens, 0, n - 1)).toArray();
        try (NDScope ignored = new NDScope()) {
            NDManager m = teacher.params().manager();
            NDArray logp = teacher.logits(Ops.ids(m, in, 1, n), null).logSoftmax(-1);
            float[] v = cfg.merges() == Merges.ENTROPY
                    ? logp.exp().mul(logp).sum(new int[] {-1}).toFloatArray()
                    : logp.gather(Ops.ids(m, tokens, 1, n, 1), 2).toFloatArray();
            return IntStream.range(0, n).mapToDouble(i -> v[i]).toArray();
        }
    }

    /** The losses of one Stage 2 step (paper §3.2.2): byte cross-entropy and boundary BCE, with the patching they led to. */
    record StepLosses(double total, double ce, double boundaryBce, double boundaryAccuracy, double bytesPerPatch)
            implements StageTrainer.StepLosses {}

    @Override
    StepLosses step(Stage1Batch bt, int s) {
        int b = bt.batch, l = bt.length, lookahead = student.config().boundaryPredictorLookahead;
        boolean[][] y = targets(bt, bt.tokenRows, s);
        try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager m = student.params().manager();
            BolmoModel.Forward f = student.forwardPatched(Ops.ids(m, flat(bt.bytes), b, l), Ops.ids(m, flat(bt.subwords), b, l), lp -> {
                boolean[][] pred = BolmoModel.boundaries(lp);
                for (int r = 0; r < b; r++) {
                    Arrays.fill(pred[r], bt.realBytes[r], l, false); // padding never opens patches
                }
                return pred;
            });
            NDArray logpB = f.boundaryLogProb();
            long predicted = 0;
            float[] yF = new float[b * l], bndMask = new float[b * l], byteMask = new float[b * l];
            long[] lab = new long[b * l];
            for (int r = 0; r < b; r++) {
                for (int t = 0; t < l; t++) {
                    int i = r * l + t;
                    yF[i] = y[r][t] ? 1 : 0;
                    bndMask[i] = t + 1 + lookahead < bt.realBytes[r] ? 1 : 0;
                    predicted += f.patches().isBoundary(r, t) && t > 0 ? 1 : 0;
                }
                for (int t = 0; t + 1 < bt.realBytes[r]; t++) {
                    byteMask[r * l + t] = 1;
                    lab[r * l + t] = bt.bytes[r][t + 1] + (f.patches().isBoundary(r, t + 1) ? ByteTokenizer.FUSED : 0);
                }
            }
            NDArray logp = f.logits().logSoftmax(-1);
            NDArray ce = Losses.masked(logp.gather(Ops.longs(m, lab, b, l, 1), 2).squeeze(2).neg(), Ops.floats(m, byteMask, b, l));
            NDArray yND = Ops.floats(m, yF, b, l), bm = Ops.floats(m, bndMask, b, l);
            NDArray bce = Losses.boundaryBce(logpB, yND, bm);
            NDArray total = ce.add(bce.mul(Ops.scalar(bce, Losses.BOUNDARY_WEIGHT)));
            gc.backward(total);
            long realBytes = Arrays.stream(bt.realBytes).asLongStream().sum() - b; // the bytes after each BOS
            return new StepLosses(total.getFloat(), ce.getFloat(), bce.getFloat(), Losses.boundaryAccuracy(logpB, yND, bm),
                    (double) realBytes / Math.max(1, predicted));
        }
    }
}
