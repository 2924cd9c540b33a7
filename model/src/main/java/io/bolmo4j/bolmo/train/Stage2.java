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
import io.bolmo4j.train.Loop;
import io.bolmo4j.train.Recipe;
import io.bolmo4j.train.Setting;
import io.bolmo4j.train.Trainer;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static io.bolmo4j.train.Settings.require;

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
     */
    public record Config(
            Loop loop,
            @Setting(value = "bytes per example", option = "--bytes") int bytesPerExample,
            @Setting("bytes per patch to train towards with merged boundary targets (paper §5.1); 0 = subword boundaries")
            double targetBytesPerPatch,
            @Setting("steps over which the target ratio moves from the natural one to the target; 0 = all") int compressionSteps,
            @Setting("how compressed targets are merged (ENTROPY and CROSS_ENTROPY score tokens with the teacher)") Merges merges)
            implements Recipe<Config> {
        public Config {
            require(loop != null, "loop", "the loop settings", loop);
            require(bytesPerExample >= 8, "bytesPerExample", "an integer >= 8", bytesPerExample);
            // merges only lengthen patches, and a patch holds at least one byte: a target in (0, 1] would train as 0
            require(targetBytesPerPatch == 0 || targetBytesPerPatch > 1 && Double.isFinite(targetBytesPerPatch),
                    "targetBytesPerPatch", "0 (the subword boundaries) or a finite number > 1", targetBytesPerPatch);
            require(compressionSteps >= 0, "compressionSteps", "an integer >= 0", compressionSteps);
            require(merges != null, "merges", "one of " + Arrays.toString(Merges.values()), merges);
        }

        /** 300 steps of 8 × 256 bytes at local lr 5e-4 (the global model gets half), subword boundaries. */
        public static Config defaults() {
            return new Config(Loop.defaults().with("lr", 5e-4), 256, 0, 0, Merges.BPE);
        }
    }

    /**
     * How boundary targets are merged for higher compression (docs/bolmo.md §7): per-example BPE merges, or merges of the most
     * predictable adjacent tokens by the teacher's negative next-token entropy or by the log-probability of the actual
     * next token (both need a teacher).
     */
    public enum Merges { BPE, ENTROPY, CROSS_ENTROPY }

    private final OlmoModel teacher;

    public Stage2(BolmoModel student, BpeTokenizer tokenizer) {
        this(student, tokenizer, null);
    }

    /** With a teacher for entropy / cross-entropy merge targets. */
    public Stage2(BolmoModel student, BpeTokenizer tokenizer, OlmoModel teacher) {
        super(student, tokenizer);
        this.teacher = teacher;
    }

    public List<Trainer.Step> run(List<String> texts, Config config, Consumer<Trainer.Step> onStep) {
        if (config.merges() != Merges.BPE && config.targetBytesPerPatch() > 0 && teacher == null) {
            throw new IllegalArgumentException(config.merges() + " merges score tokens with the teacher: construct Stage2 with one");
        }
        // paper Table 8: the global model at half the local rate
        return train("stage 2", config, config.bytesPerExample(), texts,
                List.of(new Trainer.Trained(params(false), 1), new Trainer.Trained(params(true), 0.5)),
                (batch, s) -> step(batch, s, config), onStep);
    }

    /** The boundary targets at step {@code s}: subword ends, merged towards the scheduled ratio. */
    boolean[][] targets(TokenBatch bt, int s, Config cfg) {
        if (cfg.targetBytesPerPatch() <= 0) {
            return bt.ends;
        }
        boolean[][] out = new boolean[bt.batch][bt.length];
        Random mergeRng = new Random(cfg.loop().seed() * 1_000_003L + s); // merges depend on (seed, step) only, so a resumed run repeats them
        for (int r = 0; r < bt.batch; r++) {
            // patch lengths: the BOS patch, then one per token
            List<Integer> lens = IntStream.concat(IntStream.of(1), Arrays.stream(bt.tokenRows[r]).map(id -> tokenizer.tokenBytes(id).length))
                    .boxed().toList();
            double natural = (double) bt.realBytes[r] / lens.size();
            double frac = Math.min(1, (double) s / Math.max(1, cfg.compressionSteps() > 0 ? cfg.compressionSteps() : cfg.loop().steps()));
            double ratio = natural + (cfg.targetBytesPerPatch() - natural) * frac;
            List<Integer> order = cfg.merges() == Merges.BPE ? PatchMerges.bpe(bt.tokenRows[r], mergeRng)
                    : PatchMerges.byScore(teacherScores(bt.tokenRows[r], cfg.merges()), mergeRng);
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
    double[] teacherScores(int[] tokens, Merges merges) {
        int n = tokens.length;
        int[] in = IntStream.concat(IntStream.of(tokenizer.bosId()), Arrays.stream(tokens, 0, n - 1)).toArray();
        try (NDScope ignored = new NDScope()) {
            NDManager m = teacher.params().manager();
            NDArray logp = teacher.logits(Ops.ids(m, in, 1, n), null).logSoftmax(-1);
            float[] v = merges == Merges.ENTROPY
                    ? logp.exp().mul(logp).sum(new int[] {-1}).toFloatArray()
                    : logp.gather(Ops.ids(m, tokens, 1, n, 1), 2).toFloatArray();
            return IntStream.range(0, n).mapToDouble(i -> v[i]).toArray();
        }
    }

    /** The losses of one Stage 2 step (paper §3.2.2): byte cross-entropy and boundary BCE, with the patching they led to. */
    record StepLosses(double total, double ce, double boundaryBce, double boundaryAccuracy, double bytesPerPatch)
            implements Trainer.StepLosses {}

    /** Forward and backward of one batch: {@code CE + 4·L_boundary} with the predictor's own boundaries. */
    private StepLosses step(TokenBatch bt, int s, Config cfg) {
        int b = bt.batch, l = bt.length;
        boolean[][] y = targets(bt, s, cfg);
        try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager m = student.params().manager();
            BolmoModel.Forward f = student.forwardPatched(bt.byteIds(m), bt.subwordIds(m), lp -> {
                boolean[][] pred = BolmoModel.boundaries(lp);
                for (int r = 0; r < b; r++) {
                    Arrays.fill(pred[r], bt.realBytes[r], l, false); // padding never opens patches
                }
                return pred;
            });
            // the label of byte t+1 is fused where the forward's own patching ends a patch there
            long[] lab = new long[b * l];
            long predicted = 0;
            for (int r = 0; r < b; r++) {
                for (int t = 0; t < l; t++) {
                    predicted += f.patches().isBoundary(r, t) && t > 0 ? 1 : 0;
                }
                for (int t = 0; t + 1 < bt.realBytes[r]; t++) {
                    lab[r * l + t] = bt.bytes[r][t + 1] + (f.patches().isBoundary(r, t + 1) ? ByteTokenizer.FUSED : 0);
                }
            }
            NDArray logp = f.logits().logSoftmax(-1);
            NDArray ce = Losses.masked(logp.gather(Ops.longs(m, lab, b, l, 1), 2).squeeze(2).neg(), bt.byteMask(m));
            NDArray yND = bt.boundaryTargets(m, y), bm = bt.boundaryMask(m, student.config().boundaryPredictorLookahead);
            NDArray bce = Losses.boundaryBce(f.boundaryLogProb(), yND, bm);
            NDArray total = ce.add(bce.mul(Ops.scalar(bce, Losses.BOUNDARY_WEIGHT)));
            gc.backward(total);
            long realBytes = Arrays.stream(bt.realBytes).asLongStream().sum() - b; // the bytes after each BOS
            return new StepLosses(total.getFloat(), ce.getFloat(), bce.getFloat(), Losses.boundaryAccuracy(f.boundaryLogProb(), yND, bm),
                    (double) realBytes / Math.max(1, predicted));
        }
    }
}
