package io.bolmo4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.generate.BolmoGenerator;
import io.bolmo4j.cpu.CpuBolmo;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.cpu.Matrix;
import io.bolmo4j.bolmo.merge.TaskVector;
import io.bolmo4j.bolmo.merge.TaskVectorMerge;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.export.BolmoCoreRequirements;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoGenerator;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.olmo.TransformerStack;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A benchmark on a random checkpoint of a released model's shape ({@code bolmo4j bench --shape}): writes the bf16
 * checkpoint once into a cache folder, then reports load seconds, resident memory, prefill and decode speed against
 * the GEMM rate and the memory-bandwidth limit, and for Bolmo shapes an out-of-core task-vector merge (in a child
 * JVM, so its peak memory is its own), checked against the engine's in-memory merge arithmetic when asked. On the Java
 * engine, decoding is compared with transformers on the same folder ({@link PythonAnchor}) and with the
 * rate at which the engine reads the weights, and a Bolmo with its teacher's decode bytes/s.
 */
public final class ShapeBench {
    /** Seed of the Bolmo's tensors and of its base (which therefore share their global layers); the instruct's is +1. */
    private static final long SEED = 1;

    /**
     * @param dtype weight matrices in the engine
     * @param prefill tokens (bytes for Bolmo) of the timed forward pass
     * @param decode tokens (bytes for Bolmo) decoded per timed run
     * @param verifyMerge compare every merged tensor with the engine's in-memory arithmetic (reads the inputs again)
     * @param stage1Steps of a subword shape: instead of prefill and decode, byteify it and time this many Stage 1 steps
     *                    (0: none)
     */
    public record Options(WeightType dtype, int prefill, int decode, int repeats, boolean verifyMerge, Path cache,
                          Optional<PythonAnchor> anchor, int stage1Steps) {}

    /** What is benchmarked: a subword model, or a Bolmo whose global model it is. */
    public record Target(String name, OlmoConfig teacher, BolmoConfig bolmo) {
        /** The published shapes, by name. */
        public static final List<String> SHAPES = List.of("olmo2-1b", "olmo3-7b", "bolmo-1b", "bolmo-7b", "smollm2-135m",
                "qwen2.5-0.5b", "qwen3-0.6b", "llama3.2-1b");

        /**
         * A released checkpoint's shape, from its published {@code config.json} values, in any case: {@code olmo2-1b}
         * (OLMo-2-0425-1B), {@code olmo3-7b} (Olmo-3-1025-7B), {@code bolmo-1b} / {@code bolmo-7b} (those global
         * models with Bolmo's local models, as {@link BolmoConfig#fromTeacher} derives them: local SwiGLU 2816 / 5504,
         * dolma2's 100,278 subword ids), and the smallest models of the other families: {@code smollm2-135m}
         * (SmolLM2-135M, Llama), {@code qwen2.5-0.5b}, {@code qwen3-0.6b} and {@code llama3.2-1b}.
         */
        public static Target published(String shape) {
            String id = shape.toLowerCase(Locale.ROOT);
            OlmoConfig teacher = switch (id) {
                case "olmo2-1b", "bolmo-1b" -> OlmoConfig.of("olmo2", 100352, 2048, 8192, 16, 16, 16, 4096); // rope_theta 500000
                // Olmo 3's default layers: 3 sliding (window 4096) + 1 full
                case "olmo3-7b", "bolmo-7b" -> OlmoConfig.of("olmo3", 100278, 4096, 11008, 32, 32, 32, 65536);
                case "smollm2-135m" -> OlmoConfig.of("llama", 49152, 576, 1536, 30, 9, 3, 8192).with("rope_theta", 100000.0)
                        .with("rms_norm_eps", 1e-5).with("tie_word_embeddings", true).with("bos_token_id", 0).with("eos_token_id", 0);
                case "qwen2.5-0.5b" -> OlmoConfig.of("qwen2", 151936, 896, 4864, 24, 14, 2, 32768).with("rope_theta", 1000000.0)
                        .with("tie_word_embeddings", true).with("bos_token_id", 151643).with("eos_token_id", 151643);
                case "qwen3-0.6b" -> OlmoConfig.of("qwen3", 151936, 1024, 3072, 28, 16, 8, 40960).with("head_dim", 128)
                        .with("rope_theta", 1000000.0).with("tie_word_embeddings", true).with("bos_token_id", 151643)
                        .with("eos_token_id", 151645);
                case "llama3.2-1b" -> OlmoConfig.of("llama", 128256, 2048, 8192, 16, 32, 8, 131072).with("head_dim", 64)
                        .with("rms_norm_eps", 1e-5).with("tie_word_embeddings", true).with("rope_scaling", JsonParser.parseString(
                                "{\"rope_type\": \"llama3\", \"factor\": 32.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                                        + " \"original_max_position_embeddings\": 8192}"))
                        .with("bos_token_id", 128000).with("eos_token_id", 128001);
                default -> throw new IllegalArgumentException("shape '" + shape + "' is not one of " + String.join(", ", SHAPES));
            };
            if (teacher.family.isOlmo()) {
                // dolma2's end-of-text (also the BOS OLMo is scored with) and padding ids, as the released configs name them
                teacher = teacher.with("eos_token_id", BolmoCoreRequirements.DOLMA2_EOS).with("pad_token_id", 100277);
            }
            return new Target(id, teacher, id.startsWith("bolmo") ? BolmoConfig.fromTeacher(teacher, BolmoCoreRequirements.DOLMA2_VOCAB) : null);
        }

        /** A {@code config.json} of an OLMo 2/3 or a Bolmo; cached under its file name. */
        public static Target ofConfig(Path file) {
            try {
                JsonObject j = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
                String name = "config-" + file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
                if (j.has("model_type") && j.get("model_type").getAsString().equals("bolmo")) {
                    BolmoConfig b = BolmoConfig.fromJson(j, file.toString());
                    return new Target(name, b.global, b);
                }
                return new Target(name, OlmoConfig.fromJson(j, file.toString()), null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        /** The cache name of the teacher's shape: {@code olmo2-1b} for {@code bolmo-1b}, {@code olmo3-7b} for {@code bolmo-7b}. */
        String teacherName() {
            return switch (name) {
                case "bolmo-1b" -> "olmo2-1b";
                case "bolmo-7b" -> "olmo3-7b";
                default -> name + "-teacher";
            };
        }

        Map<String, long[]> shapes() {
            return bolmo != null ? bolmo.tensorShapes() : OlmoCheckpoint.expectedShapes(teacher);
        }

        long parameters() {
            return bolmo != null ? bolmo.parameterCount() : teacher.parameterCount();
        }
    }

    private final Target target;
    private final Options o;
    private final PrintStream out;

    private ShapeBench(Target target, Options o, PrintStream out) {
        this.target = target;
        this.o = o;
        this.out = out;
    }

    /** Runs the benchmark, printing one line per figure. */
    public static void run(Target target, Options options, PrintStream out) {
        new ShapeBench(target, options, out).run();
    }

    /** {@code ~/.cache/bolmo4j/bench}, or {@code $BOLMO4J_BENCH_CACHE}. */
    public static Path defaultCache() {
        String env = System.getenv("BOLMO4J_BENCH_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "bolmo4j", "bench");
    }

    private void run() {
        Path dir = o.cache().resolve(target.name());
        Path model = ensure(dir.resolve("model"), modelConfig(), target.shapes(), SEED);
        writeTokenizer(model);
        out.printf(Locale.ROOT, "shape %-20s: %,d parameters, bf16 random checkpoint in %s%n", target.name(),
                target.parameters(), model);
        boolean stage1 = target.bolmo() == null && o.stage1Steps() > 0; // training: always the DJL engine
        boolean java = !stage1 && InferenceEngine.current() == InferenceEngine.JAVA;
        long need = java ? 2 * target.parameters() : residentEstimate(); // the Java engine maps the bf16 files
        long avail = Memory.available();
        if (avail > 0 && need > 0.6 * avail) { // leave the rest to the activations, the JVM and other users of the machine
            out.printf(Locale.ROOT, "load/prefill/decode      : skipped: the weights need ~%.1f GB%s, %.1f GB available%n",
                    need / 1e9, java ? "" : " as " + o.dtype(), avail / 1e9);
        } else if (stage1) {
            benchStage1(model);
        } else if (java) {
            if (target.bolmo() == null) {
                javaOlmo(model);
            } else {
                javaBolmo(dir.getParent(), model);
            }
        } else {
            double gemm = Timing.gemmGflops(1024, o.repeats());
            double copy = Timing.copyGbPerSecond(o.repeats());
            out.printf(Locale.ROOT, "fp32 GEMM 1024^3         : %8.1f GFLOP/s%n", gemm);
            out.printf(Locale.ROOT, "memory copy              : %8.1f GB/s read+written (decode bound: weights / %.1f GB/s)%n",
                    copy, copy / 2);
            if (target.bolmo() == null) {
                benchOlmo(model, gemm, copy);
            } else {
                benchBolmo(model, gemm, copy);
            }
        }
        if (target.bolmo() != null) {
            benchMerge(dir, model);
        }
    }

    private JsonObject modelConfig() {
        return target.bolmo() != null ? target.bolmo().toJson() : target.teacher().toJson();
    }

    /** Bytes the weights take in the engine as {@link Options#dtype()} (a bf16 checkpoint under AUTO: 2 per matrix weight). */
    private long residentEstimate() {
        boolean half = o.dtype() != WeightType.FLOAT32;
        Set<String> global = TransformerStack.shapes(target.teacher()).keySet();
        long bytes = 0;
        for (Map.Entry<String, long[]> e : target.shapes().entrySet()) {
            long n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            boolean matrix = e.getValue().length == 2 && (target.bolmo() == null || global.contains(e.getKey()));
            bytes += n * (half && matrix ? 2 : 4);
        }
        return bytes;
    }

    private void benchOlmo(Path dir, double gemm, double copy) {
        long t0 = System.nanoTime();
        try (OlmoModel m = OlmoCheckpoint.load(dir, o.dtype())) {
            reportLoad(t0, m.params());
            OlmoConfig c = m.config();
            int[] ids = new Random(0).ints(o.prefill(), 0, c.vocabSize).toArray();
            double fwd = o.prefill() / Timing.median(o.repeats(), () -> m.logits(ids));
            double flops = Timing.forwardFlopsPerToken(c, o.prefill());
            out.printf(Locale.ROOT, "prefill  (T=%4d)        : %8.2f tokens/s, %.1f GFLOP/s = %.1f %% of GEMM%n",
                    o.prefill(), fwd, fwd * flops / 1e9, 100 * fwd * flops / 1e9 / gemm);
            OlmoGenerator gen = new OlmoGenerator(m);
            int[] prompt = Arrays.copyOf(ids, 1);
            double dec = o.decode() / Timing.median(o.repeats(), () -> gen.generate(prompt, SamplingOptions.greedy(o.decode())));
            long bytes = weightBytes(m.params(), Set.of());
            double limit = copy / 2 * 1e9 / bytes; // steps/s if each step only read its weights once
            out.printf(Locale.ROOT, "decode   (%3d tokens)   : %8.2f tokens/s, %.2f GB of weights per step: %.1f %% of the"
                    + " bandwidth limit (%.2f/s)%n", o.decode(), dec, bytes / 1e9, 100 * dec / limit, limit);
        }
        reportPeak();
    }

    /**
     * The Java engine on the mapped bf16 checkpoint: load, prefill, decode against the weights' read rate and
     * transformers (bf16, the same threads), resident memory against the file.
     */
    private void javaOlmo(Path dir) {
        long t0 = System.nanoTime();
        CpuOlmo m = CpuOlmo.load(dir);
        long file = fileBytes(dir);
        out.printf(Locale.ROOT, "load (java engine)       : %8.1f s, weights mapped as stored (%.2f GB of files), resident %.2f GB%n",
                (System.nanoTime() - t0) / 1e9, file / 1e9, Memory.resident() / 1e9);
        double dec = JavaDecode.olmo(m, o.decode(), o.repeats());
        long step = m.stepMatrices().stream().mapToLong(Matrix::bytes).sum();
        double read = step / Timing.median(o.repeats(), m::readStepWeights) / 1e9;
        out.printf(Locale.ROOT, "read bandwidth (%d thr.)  : %8.2f GB/s (the step's weights streamed once: decode's limit %.2f tokens/s)%n",
                InferenceEngine.threads(), read, read * 1e9 / step);
        out.printf(Locale.ROOT, "decode   (%3d tokens)   : %8.2f tokens/s, %.2f GB of weights per step: %.1f %% of the read bandwidth%n",
                o.decode(), dec, step / 1e9, 100 * dec * step / 1e9 / read);
        long resident = Memory.resident();
        out.printf(Locale.ROOT, "resident after decode    : %8.2f GB = %.2f x the checkpoint's files%n", resident / 1e9, (double) resident / file);
        OlmoConfig c = m.config();
        int[] ids = new Random(0).ints(o.prefill(), 0, c.vocabSize).toArray();
        double fwd = o.prefill() / Timing.median(o.repeats(), () -> m.next(ids, m.newCache(ids.length)));
        double flops = Timing.forwardFlopsPerToken(c, o.prefill()) - 2.0 * c.vocabSize * c.hiddenSize * (o.prefill() - 1) / o.prefill();
        out.printf(Locale.ROOT, "prefill  (T=%4d)        : %8.2f tokens/s, %.1f GFLOP/s%n", o.prefill(), fwd, fwd * flops / 1e9);
        o.anchor().ifPresent(a -> a.decode(dir, "bfloat16", InferenceEngine.threads(), JavaDecode.PROMPT_TOKENS, o.decode(),
                o.repeats(), out).ifPresent(hf -> out.printf(Locale.ROOT,
                "decode vs transformers   : %8.2f tokens/s vs %.2f (bf16): %.2f x%n", dec, hf, dec / hf)));
    }

    /**
     * A Bolmo on the Java engine: load, prefill, free decoding (random boundaries), and decoding at its teacher's
     * token boundaries on held-out text (a trained Bolmo's patches are about its teacher's tokens) against the
     * teacher's decode bytes/s on the same text; the teacher is the {@code olmo2-1b}-style shape of its global model,
     * written into {@code cache} when absent.
     */
    private void javaBolmo(Path cache, Path dir) {
        BpeTokenizer tok = subwordVocab(target.bolmo().subwordVocabSize).tokenizer();
        String text = String.join("", BuiltinCorpus.heldOut(8000));
        int[] ids = ByteTokenizer.encode(text);
        int bytes = Math.min(ids.length - 1, JavaDecode.PROMPT_TOKENS + 8 * o.decode());
        ids = Arrays.copyOf(ids, bytes + 1);
        int[] tokens = tok.encodeIds(new String(Arrays.copyOfRange(text.getBytes(StandardCharsets.UTF_8), 0, bytes), StandardCharsets.UTF_8));
        double bytesPerToken = (double) bytes / tokens.length;
        double teacher = teacherTokensPerSecond(cache);
        long t0 = System.nanoTime();
        CpuBolmo m = CpuBolmo.load(dir);
        out.printf(Locale.ROOT, "load (java engine)       : %8.1f s, weights mapped as stored (%.2f GB of files), resident %.2f GB%n",
                (System.nanoTime() - t0) / 1e9, fileBytes(dir) / 1e9, Memory.resident() / 1e9);
        SubwordSuffixTrie trie = SubwordSuffixTrie.of(tok);
        int[] subs = trie.expand(ids);
        int[] prefillIds = Arrays.copyOf(ids, Math.min(ids.length, o.prefill()));
        int[] prefillSubs = trie.expand(prefillIds);
        double fwd = prefillIds.length / Timing.median(o.repeats(), () -> m.forward(prefillIds, prefillSubs, null));
        out.printf(Locale.ROOT, "prefill  (%4d bytes)   : %8.2f bytes/s%n", prefillIds.length, fwd);
        BolmoGenerator gen = new BolmoGenerator(m, trie).maxPatchBytes(16).minNewBytes(o.decode());
        double free = o.decode() / Timing.median(o.repeats(), () -> gen.generate("The", SamplingOptions.greedy(o.decode()), s -> { }));
        out.printf(Locale.ROOT, "decode   (%3d bytes)    : %8.2f bytes/s (free generation, random boundaries)%n", o.decode(), free);
        boolean[] ends = tokenEnds(tok, ids, tokens);
        double forced = JavaDecode.bolmo(m, ids, subs, ends, JavaDecode.PROMPT_TOKENS, o.repeats());
        double teacherBytes = teacher * bytesPerToken;
        out.printf(Locale.ROOT, "decode at token patches  : %8.2f bytes/s (%d bytes, %.2f bytes per patch) = %.2f x the teacher's"
                + " %.2f bytes/s (%.2f tokens/s x %.2f bytes/token)%n", forced, bytes - JavaDecode.PROMPT_TOKENS, bytesPerToken,
                forced / teacherBytes, teacherBytes, teacher, bytesPerToken);
        reportPeak();
    }

    /** The teacher's Java-engine decode tokens/s: its global model's shape as a subword model, in {@code cache}. */
    private double teacherTokensPerSecond(Path cache) {
        OlmoConfig teacher = target.teacher();
        Path model = ensure(cache.resolve(target.teacherName()).resolve("model"), teacher.toJson(),
                OlmoCheckpoint.expectedShapes(teacher), SEED);
        double rate = JavaDecode.olmo(CpuOlmo.load(model), o.decode(), o.repeats());
        out.printf(Locale.ROOT, "teacher decode           : %8.2f tokens/s (%s, java engine)%n", rate, teacher);
        System.gc(); // unmaps the teacher's files before the Bolmo's are read
        return rate;
    }

    /** Patch ends at the last byte of every token of {@code ids} (BOS first), as the teacher's tokenizer cuts the text. */
    private static boolean[] tokenEnds(BpeTokenizer tok, int[] ids, int[] tokens) {
        boolean[] ends = new boolean[ids.length];
        ends[0] = true;
        int at = 0;
        for (int t : tokens) {
            at += tok.tokenBytes(t).length;
            if (at < ends.length) {
                ends[at] = true;
            }
        }
        return ends;
    }

    /** Bytes of a checkpoint's safetensors files. */
    private static long fileBytes(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            long b = 0;
            for (Path f : ckpt.files()) {
                b += Files.size(f);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Byteifies the random teacher (in fp32: training needs it) and times {@link Options#stage1Steps()} Stage 1 steps of
     * the default batch on the built-in corpus, tokenized with the cl100k tokens that fit the teacher's vocabulary (the
     * released tokenizers are not shipped; their bytes per token are alike). Reports the subword-suffix trie, the
     * median bytes/s of the steps after the first, and the process's peak resident memory.
     */
    private void benchStage1(Path dir) {
        long t0 = System.nanoTime();
        try (OlmoModel teacher = OlmoCheckpoint.load(dir, WeightType.FLOAT32)) {
            reportLoad(t0, teacher.params());
            BpeTokenizer tok = subwordVocab(Math.min(teacher.config().vocabSize, BolmoCoreRequirements.DOLMA2_VOCAB)).tokenizer();
            long t1 = System.nanoTime();
            SubwordSuffixTrie trie = SubwordSuffixTrie.of(tok);
            out.printf(Locale.ROOT, "subword-suffix trie      : %8.2f s to build over %,d ids, %.1f MB%n", (System.nanoTime() - t1) / 1e9,
                    tok.vocabSize(), trie.memoryBytes() / 1e6);
            Stage1.Config cfg = Stage1.Config.defaults().with("steps", o.stage1Steps());
            List<String> texts = BuiltinCorpus.heldOut(Math.max(200_000, 4L * cfg.loop().steps() * cfg.loop().batch() * cfg.bytesPerExample()));
            try (BolmoModel b = Byteify.fromTeacher(teacher, tok.vocabSize(), SEED)) {
                out.printf(Locale.ROOT, "byteified                : %8.1f s after load, %,d Bolmo parameters, resident %.2f GB%n",
                        (System.nanoTime() - t1) / 1e9, b.params().count(), Memory.resident() / 1e9);
                double rate = SpeedBench.stage1Rate(new Stage1(b, teacher, tok), texts, cfg, Math.min(1, cfg.loop().steps() - 1));
                out.printf(Locale.ROOT, "stage 1 (%3d steps)      : %8.1f bytes/s (batch %d x %d bytes: %.1f s per step, median after"
                        + " the first)%n", cfg.loop().steps(), rate, cfg.loop().batch(), cfg.bytesPerExample(),
                        cfg.loop().batch() * cfg.bytesPerExample() / rate);
            }
        }
        reportPeak();
    }

    private void benchBolmo(Path dir, double gemm, double copy) {
        long t0 = System.nanoTime();
        try (BolmoModel m = BolmoCheckpoint.load(dir, o.dtype())) {
            reportLoad(t0, m.params());
            SubwordSuffixTrie trie = SubwordSuffixTrie.of(subwordVocab(m.config().subwordVocabSize).tokenizer());
            int[] ids = ByteTokenizer.encode("x".repeat(o.prefill() - 1));
            int[] patches = new int[1];
            double fwd = o.prefill() / Timing.median(o.repeats(), () -> {
                try (NDScope ignored = new NDScope()) {
                    BolmoModel.Forward f = m.forward(ids, trie, null);
                    f.logits().toFloatArray();
                    patches[0] = f.patches().count(0);
                }
            });
            double flops = patches[0] * globalFlopsPerPatch(patches[0]) + o.prefill() * 2.0 * localMatrixParameters();
            out.printf(Locale.ROOT, "prefill  (%4d bytes)   : %8.2f bytes/s (%d patches), %.1f GFLOP/s = %.1f %% of GEMM%n",
                    o.prefill(), fwd, patches[0], fwd / o.prefill() * flops / 1e9, 100 * fwd / o.prefill() * flops / 1e9 / gemm);
            BolmoGenerator gen = new BolmoGenerator(m, trie).maxPatchBytes(16).minNewBytes(o.decode());
            int[] ends = new int[1];
            double seconds = Timing.median(o.repeats(), () -> {
                BolmoGenerator.Generation g = gen.generate("The", SamplingOptions.greedy(o.decode()), s -> { });
                boolean[] b = g.boundaries();
                ends[0] = (int) IntStream.range(g.promptLength(), b.length).filter(t -> b[t]).count();
            });
            // each byte reads the local weights, each patch the global model's as well
            long global = weightBytes(m.params(), TransformerStack.shapes(target.teacher()).keySet());
            double bytesRead = (double) o.decode() * (weightBytes(m.params(), Set.of()) - global) + ends[0] * global;
            out.printf(Locale.ROOT, "decode   (%3d bytes)    : %8.2f bytes/s (%d patch ends, random boundaries), %.2f GB of weights"
                            + " read: %.1f %% of the bandwidth limit%n", o.decode(), o.decode() / seconds, ends[0],
                    bytesRead / 1e9, 100 * bytesRead / seconds / (copy / 2 * 1e9));
        }
        reportPeak();
    }

    /** The global model's FLOPs per patch: the OLMo figure without its LM head. */
    private double globalFlopsPerPatch(int patches) {
        OlmoConfig c = target.teacher();
        return Timing.forwardFlopsPerToken(c, patches) - 2.0 * c.vocabSize * c.hiddenSize;
    }

    /** Parameters of the local models' matrices, each used once per byte (embedding tables are lookups). */
    private long localMatrixParameters() {
        Set<String> global = TransformerStack.shapes(target.teacher()).keySet();
        return target.shapes().entrySet().stream()
                .filter(e -> e.getValue().length == 2 && !global.contains(e.getKey()) && !e.getKey().endsWith("embedding.weight"))
                .mapToLong(e -> e.getValue()[0] * e.getValue()[1]).sum();
    }

    private void reportLoad(long t0, Params p) {
        out.printf(Locale.ROOT, "load (%s)%s: %8.1f s, resident %.2f GB after load%n", o.dtype().name().toLowerCase(Locale.ROOT),
                " ".repeat(Math.max(1, 19 - o.dtype().name().length())), (System.nanoTime() - t0) / 1e9, Memory.resident() / 1e9);
    }

    private void reportPeak() {
        out.printf(Locale.ROOT, "peak resident (VmHWM)    : %8.2f GB%n", Memory.peakResident() / 1e9);
    }

    /**
     * Bytes of the parameters named in {@code only} (all when empty), embedding tables left out: with all, what one decode
     * step reads (of an embedding table it reads one row).
     */
    private static long weightBytes(Params p, Set<String> only) {
        long b = 0;
        for (Map.Entry<String, NDArray> e : p.asMap().entrySet()) {
            boolean lookup = e.getKey().endsWith("embed_tokens.weight") || e.getKey().endsWith("embedding.weight");
            if (!lookup && (only.isEmpty() || only.contains(e.getKey()))) {
                b += e.getValue().getShape().size() * (e.getValue().getDataType() == DataType.FLOAT16 ? 2 : 4);
            }
        }
        return b;
    }

    private void benchMerge(Path dir, Path bolmo) {
        Map<String, long[]> global = new LinkedHashMap<>(TransformerStack.shapes(target.teacher()));
        global.put(ParameterLayout.NORM, new long[] {target.teacher().hiddenSize});
        JsonObject cfg = target.teacher().toJson();
        Path base = ensure(dir.resolve("base"), cfg, global, SEED);
        Path instruct = ensure(dir.resolve("instruct"), cfg, global, SEED + 1);
        Path merged = dir.resolve("merged");
        try {
            AtomicFiles.deleteTree(merged);
            List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-cp",
                    System.getProperty("java.class.path"), MergeProbe.class.getName(), bolmo.toString(),
                    instruct.toString(), base.toString(), merged.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String last = "";
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    last = line;
                }
            }
            if (p.waitFor() != 0 || !last.startsWith("seconds ")) {
                throw new IllegalStateException("the merge failed: " + last);
            }
            String[] f = last.split(" ");
            double seconds = Double.parseDouble(f[1]);
            long values = Long.parseLong(f[5]);
            out.printf(Locale.ROOT, "merge (child JVM)        : %8.1f s for %,d values (%.0f M values/s), peak resident %.2f GB%n",
                    seconds, values, values / seconds / 1e6, Long.parseLong(f[3]) / 1e9);
            if (o.verifyMerge()) {
                verify(bolmo, instruct, base, merged);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            AtomicFiles.deleteQuietly(merged); // the disk holds the inputs; the output is only measured
        }
    }

    /** Every merged tensor against {@link TaskVector#addDelta} on the engine, rounded to bf16 as a save would. */
    private void verify(Path bolmo, Path instruct, Path base, Path merged) {
        long t0 = System.nanoTime();
        Backend.noGrad();
        long values = 0;
        List<String> differing = new ArrayList<>();
        try (HfCheckpoint b = HfCheckpoint.open(bolmo); HfCheckpoint i = HfCheckpoint.open(instruct);
             HfCheckpoint s = HfCheckpoint.open(base); HfCheckpoint m = HfCheckpoint.open(merged);
             NDManager nd = Backend.newManager()) {
            for (String n : TaskVectorMerge.plan(bolmo, instruct, base).merged().keySet()) {
                try (NDScope ignored = new NDScope()) {
                    long[] shape = b.info(n).shape();
                    NDArray theta = Ops.floats(nd, b.readFloats(n), shape);
                    TaskVector.addDelta(theta, Ops.floats(nd, i.readFloats(n), shape), Ops.floats(nd, s.readFloats(n), shape), 1f);
                    float[] want = theta.toFloatArray(), got = m.readFloats(n);
                    for (int k = 0; k < want.length; k++) {
                        if (DType.bf16ToFloat(DType.floatToBf16(want[k])) != got[k]) {
                            differing.add(n);
                            break;
                        }
                    }
                    values += want.length;
                }
            }
        }
        out.printf(Locale.ROOT, "merge check              : %,d merged values %s the in-memory merge's bit for bit (%.0f s)%n",
                values, differing.isEmpty() ? "equal" : "DIFFER from (" + differing + ")", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * cl100k's tokens that fit a subword embedding of {@code size} ids: all of them for the released shapes, the first
     * ranks (plus end-of-text and pad) for a smaller {@code --config}.
     */
    private static Cl100kVocab subwordVocab(int size) {
        if (size >= BolmoCoreRequirements.DOLMA2_VOCAB) { // cl100k's ranks with the dolma2 special ids
            return Cl100kVocab.full();
        }
        if (size < 258) {
            throw new IllegalArgumentException("subword_vocab_size " + size + " is too small for the bench's subword ids"
                    + " (at least 258: the 256 single bytes, end-of-text and pad)");
        }
        return Cl100kVocab.firstRanks(Math.min(size - 2, Cl100kVocab.RANKS));
    }

    /**
     * cl100k's tokenizer.json beside a subword model whose vocabulary holds it, so that {@code bolmo4j generate} and
     * {@code score} run on the random checkpoint too.
     */
    private void writeTokenizer(Path model) {
        Path tok = model.resolve("tokenizer.json");
        if (target.bolmo() == null && !Files.exists(tok)) {
            Cl100kVocab v = Cl100kVocab.full();
            if (v.tokenizer().vocabSize() <= target.teacher().vocabSize) {
                try {
                    HfCheckpoint.writeAtomically(tok, v.toJson().getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + tok, e);
                }
            }
        }
    }

    /** The checkpoint at {@code dir}, written first when absent. */
    private Path ensure(Path dir, JsonObject config, Map<String, long[]> shapes, long seed) {
        if (!Files.isDirectory(dir)) {
            long t0 = System.nanoTime();
            long bytes = 2 * shapes.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
            out.printf(Locale.ROOT, "writing %.1f GB of random bf16 weights to %s ...%n", bytes / 1e9, dir);
            RandomCheckpoint.write(dir, config, shapes, seed);
            out.printf(Locale.ROOT, "  written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        return dir;
    }
}
