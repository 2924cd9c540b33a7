package io.bolmo4j.bench;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.generate.BolmoGenerator;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoGenerator;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * Side-by-side speed figures in one run ({@code bolmo4j bench}): the engine's fp32 GEMM rate, a model's forward and
 * decode tokens/s, the model-FLOP utilisation (forward FLOP/s as a fraction of the GEMM rate), and on request Bolmo's
 * Stage 1 training, prefill and decode bytes/s next to the teacher's decode. Medians of repeated runs. Inference
 * (forward, decode) runs on the process's {@link InferenceEngine}; on the Java engine, decoding a checkpoint folder is
 * also compared with Hugging Face transformers on the same folder.
 */
public final class SpeedBench {
    /** Stage 1 steps a timed run starts with and does not count: the engine's allocator and the JIT still warm up. */
    private static final int STAGE1_WARMUP = 2;

    private SpeedBench() {}

    /**
     * @param modelDir an OLMo checkpoint directory, or null for a random ~6M-parameter OLMo 2
     * @param seq      forward sequence length
     * @param decode   tokens decoded per run
     * @param repeats  timed repeats per figure
     * @param bolmo      also byteify the model and report Bolmo's figures
     * @param anchorVenv the Python environment of the anchors ({@link PythonAnchor#find}), or null
     */
    public record Options(Path modelDir, int seq, int decode, int repeats, boolean bolmo, Path anchorVenv) {}

    /** Runs the benchmark, printing one line per figure to {@code out}. */
    public static void run(Options o, PrintStream out) {
        double gemm = Timing.gemmGflops(1024, o.repeats());
        out.printf(Locale.ROOT, "fp32 GEMM 1024^3         : %8.1f GFLOP/s (median of %d)%n", gemm, o.repeats());
        try (OlmoModel model = o.modelDir() != null ? OlmoCheckpoint.load(o.modelDir())
                : OlmoModel.random(OlmoConfig.of("olmo2", 8320, 256, 1024, 4, 4, 4, 1024), 0)) {
            OlmoConfig c = model.config();
            int t = Math.min(o.seq(), c.maxPositionEmbeddings);
            out.println("model                    : " + c);
            int[] ids = new Random(0).ints(t, 0, c.vocabSize).toArray();
            double fwdSeconds = Timing.median(o.repeats(), () -> model.logits(ids));
            double fwdTps = t / fwdSeconds;
            double flopsPerToken = Timing.forwardFlopsPerToken(c, t);
            double mfu = fwdTps * flopsPerToken / (gemm * 1e9);
            out.printf(Locale.ROOT, "forward (batch 1, T=%4d) : %8.1f tokens/s, %.1f GFLOP/s, MFU %.1f%% of GEMM%n",
                    t, fwdTps, fwdTps * flopsPerToken / 1e9, 100 * mfu);
            int n = Math.min(o.decode(), c.maxPositionEmbeddings - 17);
            OlmoGenerator gen = new OlmoGenerator(model);
            int[] prompt = Arrays.copyOf(ids, 16);
            double decSeconds = Timing.median(o.repeats(), () -> gen.generate(prompt, SamplingOptions.greedy(n)));
            double decTps = n / decSeconds;
            double decMfu = decTps * Timing.forwardFlopsPerToken(c, 16 + n / 2) / (gemm * 1e9);
            // a step reads every matrix once; the embedding table only one row
            double stepBytes = 4.0 * (model.params().count() - (double) c.vocabSize * c.hiddenSize);
            double limit = Timing.copyGbPerSecond(o.repeats()) / 2 * 1e9 / stepBytes;
            out.printf(Locale.ROOT, "decode   (batch 1, %3d)  : %8.1f tokens/s (incl. prefill of 16), MFU %.2f%%, %.0f %% of the"
                    + " bandwidth limit (%.0f tokens/s: %.1f MB of fp32 weights per token)%n",
                    n, decTps, 100 * decMfu, 100 * decTps / limit, limit, stepBytes / 1e6);
            boolean versusTransformers = o.modelDir() != null && InferenceEngine.current() == InferenceEngine.JAVA;
            Optional<PythonAnchor> anchor = versusTransformers || o.bolmo() ? PythonAnchor.find(o.anchorVenv(), out) : Optional.empty();
            if (versusTransformers) {
                versusTransformers(o, n, anchor, out);
            }
            if (o.bolmo()) {
                bolmo(o, model, anchor, gemm, out);
            }
        }
    }

    /**
     * The Java engine's decoding of the folder's weights as stored against transformers' (fp32, the same threads),
     * both timed as the anchor script times it: a 16-token prefill, then single-token steps.
     */
    private static void versusTransformers(Options o, int n, Optional<PythonAnchor> anchor, PrintStream out) {
        double java = JavaDecode.olmo(CpuOlmo.load(o.modelDir()), n, o.repeats());
        out.printf(Locale.ROOT, "decode, java engine      : %8.1f tokens/s (weights as stored, %d steps after a %d-token prefill)%n",
                java, n - 1, JavaDecode.PROMPT_TOKENS);
        anchor.ifPresent(a -> a.decode(o.modelDir(), "float32", Backend.threads(),
                JavaDecode.PROMPT_TOKENS, n, o.repeats(), out).ifPresent(hf -> out.printf(Locale.ROOT,
                "decode vs transformers   : %8.1f tokens/s vs %.1f (fp32): %.2f x%n", java, hf, java / hf)));
    }

    /**
     * Bolmo figures on the same global model, batch 1, side by side with the teacher's decode speed in bytes/s, and
     * the Stage 1 step side by side with PyTorch eager's at the same sizes.
     */
    private static void bolmo(Options o, OlmoModel teacher, Optional<PythonAnchor> anchor, double gemm, PrintStream out) {
        BpeTokenizer tok = o.modelDir() != null && Files.exists(o.modelDir().resolve("tokenizer.json"))
                ? BpeTokenizer.load(o.modelDir().resolve("tokenizer.json"))
                : Cl100kVocab.firstRanks(Math.min(8192, teacher.config().vocabSize - 2)).tokenizer();
        String text = BuiltinCorpus.heldOut(4000).stream().reduce("", String::concat);
        int[] ids = tok.encodeIds(text);
        double bytesPerToken = (double) text.getBytes(StandardCharsets.UTF_8).length / ids.length;
        int n = Math.min(o.decode(), teacher.config().maxPositionEmbeddings - 17);
        int[] prompt = Arrays.copyOf(ids, 16);
        double teacherTps = n / Timing.median(o.repeats(), () -> new OlmoGenerator(teacher).usableVocabulary(tok.vocabSize())
                .generate(prompt, SamplingOptions.greedy(n)));
        try (BolmoModel b = Byteify.fromTeacher(teacher, tok.vocabSize(), 0)) {
            Stage1.Config paper = Stage1.Config.defaults().with("steps", o.repeats() + STAGE1_WARMUP).with("lr", 1e-4).with("warmupFraction", 0)
                    .with("byteDistillWeight", 0);
            // the process's first steps run slower for a dozen steps (the JIT, the engine's allocator): not timed
            new Stage1(b, teacher, tok).run(List.of(text), paper.with("steps", 12), st -> { });
            double paperRate = stage1Rate(new Stage1(b, teacher, tok), List.of(text), paper, STAGE1_WARMUP);
            double distillRate = stage1Rate(new Stage1(b, teacher, tok), List.of(text), paper.with("byteDistillWeight", 1), STAGE1_WARMUP);
            LoadedBolmo lb = new LoadedBolmo(b, tok);
            String prefillText = text.substring(0, Math.min(text.length(), 1024));
            int prefillBytes = prefillText.getBytes(StandardCharsets.UTF_8).length;
            double prefill = prefillBytes / Timing.median(o.repeats(), () -> lb.logits(prefillText));
            String decodePrompt = text.substring(0, 64);
            int decodeBytes = 4 * n;
            int[] ends = new int[1];
            // minNewBytes: an untrained Bolmo soon picks an end-of-text id; the figure is for decodeBytes bytes.
            double decodeRate = decodeBytes / Timing.median(o.repeats(), () -> {
                BolmoGenerator.Generation g = new BolmoGenerator(b, lb.trie()).maxPatchBytes(16).minNewBytes(decodeBytes)
                        .generate(decodePrompt, SamplingOptions.greedy(decodeBytes), s -> { });
                ends[0] = 0;
                for (int t = g.promptLength(); t < g.boundaries().length; t++) {
                    ends[0] += g.boundaries()[t] ? 1 : 0;
                }
            });
            double teacherBytes = teacherTps * bytesPerToken;
            out.printf(Locale.ROOT, "teacher decode           : %8.1f bytes/s (%.1f tokens/s x %.2f bytes/token)%n",
                    teacherBytes, teacherTps, bytesPerToken);
            out.printf(Locale.ROOT, "bolmo stage 1 training   : %8.1f bytes/s (batch 8 x 256 bytes, median step)%n", distillRate);
            out.printf(Locale.ROOT, "  without byte distill   : %8.1f bytes/s (the paper's loss; byte distill costs x%.2f)%n",
                    paperRate, paperRate / distillRate);
            out.printf(Locale.ROOT, "bolmo prefill (batch 1)  : %8.1f bytes/s (%d bytes)%n", prefill, prefillBytes);
            out.printf(Locale.ROOT, "bolmo decode  (batch 1)  : %8.1f bytes/s = %.2f x the teacher's (%d bytes, %.1f bytes per patch,"
                    + " untrained boundaries)%n", decodeRate, decodeRate / teacherBytes, decodeBytes, (double) decodeBytes / Math.max(1, ends[0]));
            anchor.flatMap(a -> a.stage1(stage1Sizes(teacher.config(), b.config(), paper, bytesPerToken), Backend.threads(),
                    o.repeats(), out)).ifPresent(torch -> {
                        out.printf(Locale.ROOT, "stage 1 vs pytorch eager : %8.1f bytes/s vs %.1f (the paper's loss): %.2f x%n",
                                paperRate, torch.bytesPerSecond(), paperRate / torch.bytesPerSecond());
                        // the same step at the same sizes: PyTorch's FLOP count serves both
                        double perByte = torch.gflopPerStep() / (paper.loop().batch() * paper.bytesPerExample());
                        if (Double.isFinite(perByte)) {
                            out.printf(Locale.ROOT, "  matrix products        : %8.1f GFLOP per step (PyTorch's count): bolmo4j %.1f GFLOP/s,"
                                    + " PyTorch %.1f, fp32 GEMM %.1f%n", torch.gflopPerStep(), perByte * paperRate,
                                    perByte * torch.bytesPerSecond(), gemm);
                        }
                    });
        }
    }

    /** The sizes of a Stage 1 step with {@code teacher}, the local models of {@code bolmo} and {@code cfg}'s batch. */
    private static PythonAnchor.Stage1Sizes stage1Sizes(OlmoConfig teacher, BolmoConfig bolmo, Stage1.Config cfg, double bytesPerToken) {
        return new PythonAnchor.Stage1Sizes(teacher.hiddenSize, teacher.numAttentionHeads, teacher.numKeyValueHeads,
                teacher.numHiddenLayers, teacher.intermediateSize, teacher.vocabSize, bolmo.numLocalHeads,
                bolmo.localIntermediateSize, bolmo.numLocalEncoderLayers, bolmo.numLocalDecoderLayers,
                Math.min(cfg.encoderLayers(), teacher.numHiddenLayers), cfg.tau(), cfg.loop().batch(), cfg.bytesPerExample(),
                bytesPerToken);
    }

    /** Median bytes/s of {@code cfg}'s steps after the first {@code warmup}, which run slower while the engine warms up. */
    static double stage1Rate(Stage1 s1, List<String> texts, Stage1.Config cfg, int warmup) {
        List<Double> rates = new ArrayList<>();
        s1.run(texts, cfg, st -> rates.add(st.perSecond()));
        List<Double> timed = rates.subList(warmup, rates.size()).stream().sorted().toList();
        return timed.get(timed.size() / 2);
    }
}
