package io.bolmo4j.cli;

import io.bolmo4j.bench.JavaDecode;
import io.bolmo4j.bench.ShapeBench;
import io.bolmo4j.bench.Timing;
import io.bolmo4j.bench.TransformersAnchor;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.generate.BolmoGenerator;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoGenerator;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Side-by-side speed figures in one run: the engine's fp32 GEMM rate, a model's forward and decode tokens/s, and the
 * model-FLOP utilisation (forward FLOP/s as a fraction of the GEMM rate). Medians of repeated runs. On the Java
 * engine, decoding a checkpoint folder is also compared with Hugging Face transformers on the same folder.
 */
@Command(name = "bench", description = "Benchmark: GEMM GFLOP/s, forward and decode tokens/s, model-FLOP utilisation.")
final class BenchCommand implements Runnable {
    @Option(names = "--model", converter = ModelDir.class, description = "checkpoint directory (default: a random ~6M-parameter OLMo 2)")
    Path modelDir;

    @Option(names = "--seq", defaultValue = "256", description = "forward sequence length (default ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--decode", defaultValue = "64", description = "tokens decoded per run (default ${DEFAULT-VALUE})")
    int decode;

    @Option(names = "--repeats", defaultValue = "5", description = "timed repeats per figure (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--bolmo", description = "also byteify the model and report Bolmo's Stage 1 training, prefill and decode bytes/s"
            + " next to the teacher's decode bytes/s (needs a checkpoint with tokenizer.json, or the default model)")
    boolean bolmo;

    @Option(names = "--shape", description = "a random bf16 checkpoint of a released shape: olmo2-1b, olmo3-7b, bolmo-1b, bolmo-7b"
            + " (written once into the cache); reports load, memory, prefill, decode and, for Bolmo, a merge")
    String shape;

    @Option(names = "--config", description = "as --shape, for the shape of a config.json (OLMo 2/3 or Bolmo)")
    Path config;

    @Option(names = "--dtype", defaultValue = "auto", converter = WeightTypeOption.class,
            description = "with --shape/--config: weight matrices as auto (default: 2 bytes), float32 or float16")
    WeightType dtype;

    @Option(names = "--prefill", defaultValue = "128", description = "with --shape: tokens (Bolmo: bytes) of the timed forward (default ${DEFAULT-VALUE})")
    int prefill;

    @Option(names = "--verify-merge", description = "with a Bolmo --shape: compare every merged value with the in-memory merge's")
    boolean verifyMerge;

    @Option(names = "--cache", description = "folder of the random checkpoints (default: ~/.cache/bolmo4j/bench or $BOLMO4J_BENCH_CACHE)")
    Path cache;

    @Option(names = "--anchor-venv", paramLabel = "DIR", description = "a Python venv with torch and transformers: decoding"
            + " is compared with transformers on the same folder (default: $" + TransformersAnchor.ENV + "; skipped without one)")
    Path anchorVenv;

    @Mixin
    EngineOption engine;

    @Override
    public void run() {
        Main.configureBackend();
        engine.apply();
        System.out.println("device " + Backend.device() + ", threads " + Backend.threads() + ", inference engine "
                + InferenceEngine.current().name().toLowerCase(Locale.ROOT));
        if (shape != null || config != null) {
            ShapeBench.Target t = shape != null ? ShapeBench.Target.published(shape) : ShapeBench.Target.ofConfig(config);
            ShapeBench.run(t, new ShapeBench.Options(dtype, prefill, Math.min(decode, 16), Math.min(repeats, 3), verifyMerge,
                    cache != null ? cache : ShapeBench.defaultCache(), TransformersAnchor.find(anchorVenv, System.out)), System.out);
            return;
        }
        double gemm = Timing.gemmGflops(1024, repeats);
        System.out.printf(Locale.ROOT, "fp32 GEMM 1024^3         : %8.1f GFLOP/s (median of %d)%n", gemm, repeats);
        try (OlmoModel model = modelDir != null ? OlmoCheckpoint.load(modelDir)
                : OlmoModel.random(OlmoConfig.of("olmo2", 8320, 256, 1024, 4, 4, 4, 1024), 0)) {
            OlmoConfig c = model.config();
            int t = Math.min(seq, c.maxPositionEmbeddings);
            System.out.println("model                    : " + c);
            int[] ids = new Random(0).ints(t, 0, c.vocabSize).toArray();
            double fwdSeconds = median(() -> model.logits(ids));
            double fwdTps = t / fwdSeconds;
            double flopsPerToken = Timing.forwardFlopsPerToken(c, t);
            double mfu = fwdTps * flopsPerToken / (gemm * 1e9);
            System.out.printf(Locale.ROOT, "forward (batch 1, T=%4d) : %8.1f tokens/s, %.1f GFLOP/s, MFU %.1f%% of GEMM%n",
                    t, fwdTps, fwdTps * flopsPerToken / 1e9, 100 * mfu);
            int n = Math.min(decode, c.maxPositionEmbeddings - 17);
            OlmoGenerator gen = new OlmoGenerator(model);
            int[] prompt = Arrays.copyOf(ids, 16);
            double decSeconds = median(() -> gen.generate(prompt, SamplingOptions.greedy(n)));
            double decTps = n / decSeconds;
            double decMfu = decTps * Timing.forwardFlopsPerToken(c, 16 + n / 2) / (gemm * 1e9);
            // a step reads every matrix once; the embedding table only one row
            double stepBytes = 4.0 * (model.params().count() - (double) c.vocabSize * c.hiddenSize);
            double limit = Timing.copyGbPerSecond(repeats) / 2 * 1e9 / stepBytes;
            System.out.printf(Locale.ROOT, "decode   (batch 1, %3d)  : %8.1f tokens/s (incl. prefill of 16), MFU %.2f%%, %.0f %% of the"
                    + " bandwidth limit (%.0f tokens/s: %.1f MB of fp32 weights per token)%n",
                    n, decTps, 100 * decMfu, 100 * decTps / limit, limit, stepBytes / 1e6);
            if (modelDir != null && InferenceEngine.current() == InferenceEngine.JAVA) {
                versusTransformers(n);
            }
            if (bolmo) {
                benchBolmo(model);
            }
        }
    }

    /**
     * The Java engine's decoding of the folder's weights as stored against transformers' (fp32, the same threads),
     * both timed as the anchor script times it: a 16-token prefill, then single-token steps.
     */
    private void versusTransformers(int n) {
        double java = JavaDecode.olmo(CpuOlmo.load(modelDir), n, repeats);
        System.out.printf(Locale.ROOT, "decode, java engine      : %8.1f tokens/s (weights as stored, %d steps after a %d-token prefill)%n",
                java, n - 1, JavaDecode.PROMPT_TOKENS);
        TransformersAnchor.find(anchorVenv, System.out).ifPresent(a -> a.decode(modelDir, "float32", Backend.threads(),
                JavaDecode.PROMPT_TOKENS, n, repeats, System.out).ifPresent(hf -> System.out.printf(Locale.ROOT,
                "decode vs transformers   : %8.1f tokens/s vs %.1f (fp32): %.2f x%n", java, hf, java / hf)));
    }

    /** Bolmo figures on the same global model, batch 1, side by side with the teacher's decode speed in bytes/s. */
    private void benchBolmo(OlmoModel teacher) {
        BpeTokenizer tok = modelDir != null && Files.exists(modelDir.resolve("tokenizer.json"))
                ? BpeTokenizer.load(modelDir.resolve("tokenizer.json"))
                : Cl100kVocab.firstRanks(Math.min(8192, teacher.config().vocabSize - 2)).tokenizer();
        String text = BuiltinCorpus.heldOut(4000).stream().reduce("", String::concat);
        int[] ids = tok.encodeIds(text);
        double bytesPerToken = (double) text.getBytes(StandardCharsets.UTF_8).length / ids.length;
        int n = Math.min(decode, teacher.config().maxPositionEmbeddings - 17);
        int[] prompt = Arrays.copyOf(ids, 16);
        double teacherTps = n / median(() -> new OlmoGenerator(teacher).usableVocabulary(tok.vocabSize())
                .generate(prompt, SamplingOptions.greedy(n)));
        try (BolmoModel b = Byteify.fromTeacher(teacher, tok.vocabSize(), 0)) {
            double paperRate = stage1Rate(new Stage1(b, teacher, tok), text, 0);
            double distillRate = stage1Rate(new Stage1(b, teacher, tok), text, 1);
            LoadedBolmo lb = new LoadedBolmo(b, tok);
            String prefillText = text.substring(0, Math.min(text.length(), 1024));
            int prefillBytes = prefillText.getBytes(StandardCharsets.UTF_8).length;
            double prefill = prefillBytes / median(() -> lb.logits(prefillText));
            String decodePrompt = text.substring(0, 64);
            int decodeBytes = 4 * n;
            int[] ends = new int[1];
            // minNewBytes: an untrained Bolmo soon picks an end-of-text id; the figure is for decodeBytes bytes.
            double decodeRate = decodeBytes / median(() -> {
                BolmoGenerator.Generation g = new BolmoGenerator(b, lb.trie()).maxPatchBytes(16).minNewBytes(decodeBytes)
                        .generate(decodePrompt, SamplingOptions.greedy(decodeBytes), s -> { });
                ends[0] = 0;
                for (int t = g.promptLength(); t < g.boundaries().length; t++) {
                    ends[0] += g.boundaries()[t] ? 1 : 0;
                }
            });
            double teacherBytes = teacherTps * bytesPerToken;
            System.out.printf(Locale.ROOT, "teacher decode           : %8.1f bytes/s (%.1f tokens/s x %.2f bytes/token)%n",
                    teacherBytes, teacherTps, bytesPerToken);
            System.out.printf(Locale.ROOT, "bolmo stage 1 training   : %8.1f bytes/s (batch 8 x 256 bytes, median step)%n", distillRate);
            System.out.printf(Locale.ROOT, "  without byte distill   : %8.1f bytes/s (the paper's loss; byte distill costs x%.2f)%n",
                    paperRate, paperRate / distillRate);
            System.out.printf(Locale.ROOT, "bolmo prefill (batch 1)  : %8.1f bytes/s (%d bytes)%n", prefill, prefillBytes);
            System.out.printf(Locale.ROOT, "bolmo decode  (batch 1)  : %8.1f bytes/s = %.2f x the teacher's (%d bytes, %.1f bytes per patch,"
                    + " untrained boundaries)%n", decodeRate, decodeRate / teacherBytes, decodeBytes, (double) decodeBytes / Math.max(1, ends[0]));
        }
    }

    /** Median bytes/s of {@code repeats} Stage 1 steps after one warm-up step, at byte-distillation weight {@code w}. */
    private double stage1Rate(Stage1 s1, String text, double w) {
        List<Double> rates = new ArrayList<>();
        s1.run(List.of(text), new Stage1.Config(repeats + 1, 8, 256, 1e-4, 0, 0.1, 0.5, 4, 5, w, 0),
                st -> rates.add(st.bytesPerSecond()));
        List<Double> timed = rates.subList(1, rates.size()).stream().sorted().toList();
        return timed.get(timed.size() / 2);
    }

    private double median(Runnable r) {
        return Timing.median(repeats, r);
    }
}
