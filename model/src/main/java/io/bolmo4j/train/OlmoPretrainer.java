package io.bolmo4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.bolmo4j.data.Document;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.bolmo4j.train.Settings.require;

/**
 * Pretrains a small subword model (OLMo 2, or another {@link OlmoConfig.Family}) from scratch on a token stream (the
 * built-in teacher's recipe) with the {@link Trainer}: next-token cross-entropy, fp32. Each step's batch is drawn from a
 * generator seeded by (seed, step), so a run resumed from a checkpoint sees exactly the batches an uninterrupted run would.
 */
public final class OlmoPretrainer {
    /** Recipe; defaults are the built-in teacher's. */
    public record Config(
            Loop loop,
            @Setting("tokens per sequence") int context,
            @Setting("steps between validations") int evalEvery,
            @Setting("steps between resumable checkpoints in OUT/checkpoint") int checkpointEvery,
            @Setting("validation windows of context tokens") int evalWindows) implements Recipe<Config> {
        public Config {
            require(loop != null, "loop", "the loop settings", loop);
            require(loop.steps() >= 1, "steps", "an integer >= 1", loop.steps());
            require(context >= 2, "context", "an integer >= 2", context);
            require(evalEvery >= 1, "evalEvery", "an integer >= 1", evalEvery);
            require(checkpointEvery >= 1, "checkpointEvery", "an integer >= 1", checkpointEvery);
            require(evalWindows >= 1, "evalWindows", "an integer >= 1", evalWindows);
        }

        public static Config defaults() {
            return new Config(Loop.defaults().with("steps", 3000).with("batch", 16).with("lr", 3e-3).with("warmupFraction", 0.05)
                    .with("clip", 1.0).with("seed", 1234), 256, 250, 250, 64);
        }
    }

    private static final String LOG_HEADER = "step,lr,loss,grad_norm,tokens_per_s,elapsed_s,val_bits_per_byte";
    private static final String VALIDATION = "val_bits_per_byte";

    /** A step's next-token cross-entropy, nats per token. */
    private record NextToken(double total) implements Trainer.StepLosses {}

    private final OlmoModel model;
    private final BpeTokenizer tokenizer;
    private final Config cfg;
    private final int[] train;
    private final int[] validation;
    private volatile long stopAfter = Long.MAX_VALUE;
    private String startsFrom = "the model given";

    /**
     * @param trainDocs documents to train on, joined with the end-of-text token
     */
    public OlmoPretrainer(OlmoModel model, BpeTokenizer tokenizer, Iterable<Document> trainDocs,
                          Iterable<Document> validationDocs, Config cfg) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.cfg = cfg;
        this.train = tokens(trainDocs);
        this.validation = tokens(validationDocs);
        if (train.length <= cfg.context() + 1 || validation.length <= cfg.context() + 1) {
            throw new IllegalArgumentException("corpus too small for context " + cfg.context());
        }
    }

    /**
     * Ends the run after step {@code step} (1-based) with a checkpoint, as if interrupted; a later {@link #run} on the
     * same directory resumes. Thread-safe, so a UI can call it while the run is going.
     */
    public void stopAfter(long step) {
        stopAfter = step;
    }

    /** How checkpoints name the model this run starts from (e.g. {@code "base runs/olmo"}), next to its fingerprint. */
    public OlmoPretrainer startsFrom(String name) {
        startsFrom = name;
        return this;
    }

    public int trainTokens() {
        return train.length;
    }

    private int[] tokens(Iterable<Document> docs) {
        IntStream.Builder b = IntStream.builder();
        for (Document d : docs) {
            if (tokenizer.bosId() != tokenizer.eosId()) {
                b.add(tokenizer.bosId()); // a dedicated BOS (Llama's) starts each document, as scoring will
            }
            Arrays.stream(tokenizer.encodeIds(d.text())).forEach(b);
            b.add(tokenizer.eosId());
        }
        return b.build().toArray();
    }

    /** What an interrupted {@link #run} leaves in its folder, and continues from: the checkpoint and the log. */
    public static List<String> resumable() {
        return Stream.concat(TrainCheckpoint.names("checkpoint").stream(), Stream.of("train_log.csv")).toList();
    }

    /** As {@link #run(Path, Map, boolean)} with a tokenizer.json alone, refusing a checkpoint made with other settings. */
    public double run(Path out, String tokenizerJson) {
        return run(out, Map.of("tokenizer.json", tokenizerJson.getBytes(StandardCharsets.UTF_8)), false);
    }

    /**
     * Trains into {@code out}: resumes from {@code out/checkpoint} if present (one made with other settings only with
     * {@code resumeAnyway}), logs to {@code out/train_log.csv}, and finally writes the Hugging Face directory (bf16
     * weights and {@code tokenizerFiles}: tokenizer.json, and tokenizer_config.json where the family has one).
     *
     * @return the final validation bits per byte (NaN when stopped early by {@link #stopAfter})
     */
    public double run(Path out, Map<String, byte[]> tokenizerFiles, boolean resumeAnyway) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Trainer trainer = new Trainer("pretrain", model.params(),
                new Trainer.Checkpoints(out.resolve("checkpoint"), cfg.checkpointEvery(), resumeAnyway));
        Trainer.Run run;
        try (StepLog log = new StepLog(out.resolve("train_log.csv"), s -> LOG_HEADER, OlmoPretrainer::row)) {
            run = trainer.run(cfg, objective(), log);
        }
        if (!run.finished()) {
            return Double.NaN;
        }
        OlmoCheckpoint.save(model, out, true, tokenizerFiles);
        Double last = run.log().isEmpty() ? null : run.log().get(run.log().size() - 1).parts().get(VALIDATION);
        return last != null ? last : validationBitsPerByte();
    }

    private static String row(Trainer.Step s) {
        Double val = s.parts().get(VALIDATION);
        return String.format(Locale.ROOT, "%d,%.6g,%.6f,%.4f,%.1f,%.1f,%s", s.step(), s.lr(), s.loss(), s.gradNorm(),
                s.perSecond(), s.seconds(), val == null ? "" : String.format(Locale.ROOT, "%.5f", val));
    }

    private Trainer.Objective objective() {
        return new Trainer.Objective(List.of(new Trainer.Trained(model.params().asMap(), 1)),
                s -> new Trainer.Measured(new NextToken(step(s)), (long) cfg.loop().batch() * cfg.context()),
                train.length + " tokens #" + Integer.toHexString(Arrays.hashCode(train)), "tokens",
                RunIdentity.of(startsFrom, model.params().asMap()),
                (step, last) -> step % cfg.evalEvery() == 0 || last ? Map.of(VALIDATION, validationBitsPerByte()) : Map.of(),
                step -> step >= stopAfter);
    }

    /** One forward/backward on the step's batch; returns the mean loss in nats per token. */
    double step(long s) {
        int b = cfg.loop().batch(), t = cfg.context();
        long[] in = new long[b * t], target = new long[b * t];
        Random r = new Random(cfg.loop().seed() * 1_000_003L + s);
        for (int i = 0; i < b; i++) {
            int off = r.nextInt(train.length - t - 1);
            for (int j = 0; j < t; j++) {
                in[i * t + j] = train[off + j];
                target[i * t + j] = train[off + j + 1];
            }
        }
        try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = targetLogProbs(in, target, b, t).neg().mean();
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    /** Bits per byte on fixed validation windows (the same windows every time). */
    public double validationBitsPerByte() {
        int t = cfg.context(), n = cfg.evalWindows();
        Random r = new Random(cfg.loop().seed() ^ 0x5EED);
        double nll = 0;
        long bytes = 0;
        for (int w = 0; w < n; w++) {
            int off = r.nextInt(validation.length - t - 1);
            long[] in = new long[t], target = new long[t];
            for (int j = 0; j < t; j++) {
                in[j] = validation[off + j];
                target[j] = validation[off + j + 1];
                bytes += tokenizer.isSpecial((int) target[j]) ? 0 : tokenizer.tokenBytes((int) target[j]).length;
            }
            try (NDScope ignored = new NDScope()) {
                nll -= targetLogProbs(in, target, 1, t).sum().getFloat();
            }
        }
        return nll / Math.log(2) / bytes;
    }

    /** The model's log-probability of each target token after its input window, {@code [b, t, 1]}. */
    private NDArray targetLogProbs(long[] in, long[] target, int b, int t) {
        NDManager m = model.params().manager();
        return model.logits(Ops.longs(m, in, b, t), null).logSoftmax(-1).gather(Ops.longs(m, target, b, t, 1), 2);
    }

    /** The built-in teacher's architecture (OLMo 2) for a tokenizer of {@code ids} ids (vocab padded to a multiple of 128). */
    public static OlmoConfig teacherConfig(BpeTokenizer tok, int d, int layers, int heads, int ffn, int maxPositions) {
        return teacherConfig(OlmoConfig.Family.OLMO2, tok, d, layers, heads, ffn, maxPositions);
    }

    /**
     * A small model of {@code family} shaped as the family publishes its small models: OLMo 2 with untied embeddings
     * and as many key/value heads as query heads; Llama 3.2, Qwen 2.5 / 3 with tied embeddings, grouped-query attention
     * (half as many key/value heads) and the BOS id in config.json.
     */
    public static OlmoConfig teacherConfig(OlmoConfig.Family family, BpeTokenizer tok, int d, int layers, int heads, int ffn,
                                           int maxPositions) {
        boolean olmo = family.isOlmo();
        OlmoConfig c = OlmoConfig.of(family.modelType, (tok.vocabSize() + 127) / 128 * 128, d, ffn, layers, heads,
                        olmo ? heads : Math.max(1, heads / 2), maxPositions)
                .with("eos_token_id", tok.eosId())
                .with("pad_token_id", tok.padId().orElse(tok.eosId()));
        return olmo ? c : c.with("tie_word_embeddings", true).with("bos_token_id", tok.bosId());
    }
}
