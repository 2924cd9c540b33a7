package io.bolmo4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import io.bolmo4j.data.Document;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Pretrains an OLMo 2 from scratch on a token stream (the built-in teacher's recipe): next-token cross-entropy,
 * AdamW, warmup + linear decay, global-norm clipping, fp32. Each step's batch is drawn from a generator seeded by
 * (seed, step), so a run resumed from a checkpoint sees exactly the batches an uninterrupted run would.
 */
public final class OlmoPretrainer {
    /** Recipe; defaults are the built-in teacher's. */
    public record Config(int steps, int batch, int context, double lr, double warmupFraction, double weightDecay,
                         double clip, long seed, int evalEvery, int checkpointEvery, int evalWindows) {
        public Config {
            if (steps < 1 || batch < 1 || context < 2 || !(lr > 0) || clip <= 0 || evalEvery < 1 || checkpointEvery < 1) {
                throw new IllegalArgumentException("invalid pretraining config: " + this);
            }
        }

        public static Config defaults() {
            return new Config(3000, 16, 256, 3e-3, 0.05, 0.1, 1.0, 1234, 250, 250, 64);
        }
    }

    private static final String LOG_HEADER = "step,lr,loss,grad_norm,tokens_per_s,elapsed_s,val_bits_per_byte\n";

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
            Arrays.stream(tokenizer.encodeIds(d.text())).forEach(b);
            b.add(tokenizer.eosId());
        }
        return b.build().toArray();
    }

    /** What an interrupted {@link #run} leaves in its folder, and continues from: the checkpoint and the log. */
    public static List<String> resumable() {
        return Stream.concat(TrainCheckpoint.names("checkpoint").stream(), Stream.of("train_log.csv")).toList();
    }

    /**
     * Trains into {@code out}: resumes from {@code out/checkpoint} if present, logs to {@code out/train_log.csv},
     * and finally writes the Hugging Face directory (bf16 weights, tokenizer.json).
     *
     * @return the final validation bits per byte (NaN when stopped early by {@link #stopAfter})
     */
    public double run(Path out, String tokenizerJson) {
        Backend.noGrad();
        Map<String, NDArray> trainable = new LinkedHashMap<>(model.params().asMap());
        trainable.values().forEach(p -> p.setRequiresGradient(true));
        NDManager state = Backend.newManager();
        AdamW opt = new AdamW(AdamW.decayGroups(trainable, 1, cfg.weightDecay(), n -> n.endsWith("norm.weight")),
                0.9, 0.95, 1e-8, state);
        LrSchedule schedule = LrSchedule.warmupLinear(cfg.lr(), cfg.steps(), cfg.warmupFraction());
        Path ckpt = out.resolve("checkpoint");
        Path log = out.resolve("train_log.csv");
        RunIdentity identity = RunIdentity.of(startsFrom, model.params().asMap());
        long start = 0;
        try {
            Files.createDirectories(out);
            if (TrainCheckpoint.exists(ckpt)) {
                start = TrainCheckpoint.load(ckpt, model.params(), opt, identity).get("step").getAsLong();
                System.err.println("resuming from " + ckpt + " at step " + start);
                truncateLog(log, start);
            } else {
                Files.writeString(log, LOG_HEADER);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double valBpb = Double.NaN;
        long t0 = System.nanoTime();
        try (Progress progress = Progress.start("pretrain", cfg.steps(), "steps");
             Writer csv = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            for (long s = start; s < cfg.steps(); s++) {
                long ts = System.nanoTime();
                double loss = step(s);
                double norm = opt.gradNorm();
                double lr = schedule.at(s);
                opt.step(lr, Math.min(1, cfg.clip() / (norm + 1e-6)));
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("loss is " + loss + " at step " + s + "; the last good checkpoint is in " + ckpt);
                }
                double tps = (double) cfg.batch() * cfg.context() / ((System.nanoTime() - ts) / 1e9);
                boolean last = s + 1 == cfg.steps();
                String val = "";
                if ((s + 1) % cfg.evalEvery() == 0 || last) {
                    valBpb = validationBitsPerByte();
                    val = String.format(Locale.ROOT, "%.5f", valBpb);
                }
                csv.write(String.format(Locale.ROOT, "%d,%.6g,%.6f,%.4f,%.1f,%.1f,%s%n", s + 1, lr, loss, norm, tps,
                        (System.nanoTime() - t0) / 1e9, val));
                csv.flush();
                Map<String, Object> metrics = new LinkedHashMap<>();
                metrics.put("loss", loss);
                metrics.put("tok/s", Math.round(tps));
                if (!Double.isNaN(valBpb)) {
                    metrics.put("val_bpb", valBpb);
                }
                progress.update(s + 1, metrics);
                boolean stop = s + 1 >= stopAfter && !last;
                if ((s + 1) % cfg.checkpointEvery() == 0 || last || stop) {
                    JsonObject st = new JsonObject();
                    st.addProperty("step", s + 1);
                    TrainCheckpoint.save(ckpt, model.params(), opt, st, identity);
                }
                if (stop) {
                    return Double.NaN;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            trainable.values().forEach(p -> p.setRequiresGradient(false));
            state.close();
        }
        OlmoCheckpoint.save(model, out, true, Map.of("tokenizer.json", tokenizerJson.getBytes(StandardCharsets.UTF_8)));
        return Double.isNaN(valBpb) ? validationBitsPerByte() : valBpb;
    }

    /** Drops log rows written after the checkpoint a run resumes from (they will be trained again). */
    private static void truncateLog(Path log, long step) throws IOException {
        if (!Files.exists(log)) {
            Files.writeString(log, LOG_HEADER);
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (kept.isEmpty() || Long.parseLong(line.substring(0, line.indexOf(','))) <= step) {
                kept.add(line);
            }
        }
        Files.write(log, kept);
    }

    /** One forward/backward on the step's batch; returns the mean loss in nats per token. */
    double step(long s) {
        int b = cfg.batch(), t = cfg.context();
        long[] in = new long[b * t], target = new long[b * t];
        Random r = new Random(cfg.seed() * 1_000_003L + s);
        for (int i = 0; i < b; i++) {
            int off = r.nextInt(train.length - t - 1);
            for (int j = 0; j < t; j++) {
                in[i * t + j] = train[off + j];
                target[i * t + j] = train[off + j + 1];
            }
        }
        try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager m = model.params().manager();
            NDArray logp = model.logits(Ops.longs(m, in, b, t), null).logSoftmax(-1);
            NDArray loss = logp.gather(Ops.longs(m, target, b, t, 1), 2).neg().mean();
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    /** Bits per byte on fixed validation windows (the same windows every time). */
    public double validationBitsPerByte() {
        int t = cfg.context(), n = cfg.evalWindows();
        Random r = new Random(cfg.seed() ^ 0x5EED);
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
                NDManager m = model.params().manager();
                NDArray logp = model.logits(Ops.longs(m, in, 1, t), null).logSoftmax(-1);
                nll -= logp.gather(Ops.longs(m, target, 1, t, 1), 2).sum().getFloat();
            }
        }
        return nll / Math.log(2) / bytes;
    }

    /** The built-in teacher's architecture for a tokenizer of {@code ids} ids (vocab padded to a multiple of 128). */
    public static OlmoConfig teacherConfig(BpeTokenizer tok, int d, int layers, int heads, int ffn, int maxPositions) {
        return OlmoConfig.of("olmo2", (tok.vocabSize() + 127) / 128 * 128, d, ffn, layers, heads, heads, maxPositions)
                .with("eos_token_id", tok.eosId())
                .with("pad_token_id", tok.padId().orElse(tok.eosId()));
    }
}
