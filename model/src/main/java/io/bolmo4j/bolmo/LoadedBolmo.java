package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.checkpoint.SubwordTokenizerFile;
import io.bolmo4j.bolmo.checkpoint.TeacherTokenizer;
import io.bolmo4j.bolmo.generate.BolmoGenerator;
import io.bolmo4j.chat.ChatModel;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.cpu.CpuBolmo;
import io.bolmo4j.cpu.EngineModels;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.data.ContinuationScore;
import io.bolmo4j.data.ScoringModel;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import io.bolmo4j.olmo.TextScore;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A Bolmo with its teacher's subword vocabulary, the one loaded-model type of the family: text in, text, scores or
 * logits out, and saved as a Hugging Face directory. Loaded for the Java inference engine ({@link InferenceEngine}),
 * the weights stay in the mapped files until {@link #model()} is asked for ({@link EngineModels}).
 */
public final class LoadedBolmo implements AutoCloseable, ScoringModel, ChatModel {
    private final BolmoConfig config;
    private final EngineModels<BolmoModel, CpuBolmo> engines;
    private final BpeTokenizer subwordTokenizer;
    private final TeacherTokenizer teacherTokenizer;
    private final SubwordSuffixTrie trie;
    private final ChatTemplate template;
    private final List<String> stopTexts;

    /**
     * Refuses a subword tokenizer ({@code source} names it) that is not the one this Bolmo was byteified with, by its
     * id count: every use of a Bolmo's subword vocabulary (generation, scoring, tokenizing) goes through this rule.
     */
    public static void requireVocabulary(BolmoConfig config, BpeTokenizer tokenizer, String source) {
        if (tokenizer.vocabSize() != config.subwordVocabSize) {
            throw new IllegalArgumentException(source + " has " + tokenizer.vocabSize() + " ids but subword_vocab_size is "
                    + config.subwordVocabSize + ": not the vocabulary this Bolmo was byteified with");
        }
    }

    /** A Bolmo without a chat template. */
    public LoadedBolmo(BolmoModel model, BpeTokenizer teacherTokenizer) {
        this(model, teacherTokenizer, null, null);
    }

    /**
     * @param template             the chat template (the teacher's), or null; its end-of-turn tokens and EOS, which a
     *                             Bolmo writes out as bytes, end a chat answer
     * @param teacherFiles         the teacher's tokenizer files {@code teacherTokenizer} was read from, saved with the
     *                             model (null: {@link #save} is refused)
     */
    public LoadedBolmo(BolmoModel model, BpeTokenizer teacherTokenizer, ChatTemplate template, TeacherTokenizer teacherFiles) {
        this(model.config(), new EngineModels<>(model, null, null), teacherTokenizer, template, teacherFiles);
    }

    private LoadedBolmo(BolmoConfig config, EngineModels<BolmoModel, CpuBolmo> engines, BpeTokenizer teacherTokenizer,
                        ChatTemplate template, TeacherTokenizer teacherFiles) {
        requireVocabulary(config, teacherTokenizer, "teacher tokenizer");
        this.config = config;
        this.engines = engines;
        this.subwordTokenizer = teacherTokenizer;
        this.teacherTokenizer = teacherFiles;
        this.trie = SubwordSuffixTrie.of(teacherTokenizer);
        this.template = template;
        Set<String> stops = new LinkedHashSet<>();
        if (template != null) {
            stops.addAll(template.endOfTurnTokens(teacherTokenizer.specialTokens().keySet()));
            template.eosToken().ifPresent(stops::add);
        }
        this.stopTexts = List.copyOf(stops);
    }

    /**
     * Loads a Bolmo directory; its subword vocabulary is found as {@link SubwordTokenizerFile#find} says, with the
     * teacher's BOS, end-of-text and pad tokens as its saved files name them ({@link TeacherTokenizer#tokenizer}).
     */
    public static LoadedBolmo load(Path dir) {
        return load(dir, null, WeightType.FLOAT32);
    }

    /**
     * Loads a Bolmo directory with the subword vocabulary {@code subwordTokenizer} when the directory has none (null:
     * look it up). The chat template is the directory's, else the one beside the subword tokenizer (the teacher's).
     */
    public static LoadedBolmo load(Path dir, Path subwordTokenizer) {
        return load(dir, subwordTokenizer, WeightType.FLOAT32);
    }

    /**
     * As {@link #load(Path, Path)}. On the Java engine the weights are mapped as stored and {@code type} applies when
     * the DJL model is asked for; on DJL the global model's weight matrices are held as {@code type}.
     */
    public static LoadedBolmo load(Path dir, Path subwordTokenizer, WeightType type) {
        Path tokFile = SubwordTokenizerFile.find(dir, subwordTokenizer, System.getenv());
        TeacherTokenizer teacher = TeacherTokenizer.ofBolmo(dir, tokFile);
        ChatTemplate template = chatTemplate(dir, tokFile);
        if (InferenceEngine.current() == InferenceEngine.JAVA) {
            CpuBolmo mapped = CpuBolmo.load(dir);
            return new LoadedBolmo(mapped.config(), new EngineModels<>(null, mapped, () -> BolmoCheckpoint.load(dir, type)),
                    teacher.tokenizer(), template, teacher);
        }
        return new LoadedBolmo(BolmoCheckpoint.load(dir, type), teacher.tokenizer(), template, teacher);
    }

    /**
     * A Bolmo's chat template, with the teacher's special tokens: the teacher's as saved in {@code dir/teacher/}, else
     * the directory's own, else the one beside its subword tokenizer file.
     */
    public static ChatTemplate chatTemplate(Path dir, Path subwordTokenizerFile) {
        return ChatTemplate.find(dir.resolve(SubwordTokenizerFile.TEACHER_FOLDER)).or(() -> ChatTemplate.find(dir))
                .or(() -> ChatTemplate.find(subwordTokenizerFile.toAbsolutePath().getParent())).orElse(null);
    }

    /** The chat template (the teacher's), if there is one. */
    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(template);
    }

    /** Continues a prompt rendered by a chat template; stops at BOS/EOS and at the template's end-of-turn strings. */
    @Override
    public String generateRendered(String rendered, SamplingOptions options, Consumer<String> onText) {
        engines.noGrad();
        int[] ids = ByteTokenizer.encode(rendered, subwordTokenizer);
        if (ids.length > 1 && ids[1] == ByteTokenizer.BOS) {
            ids = Arrays.copyOfRange(ids, 1, ids.length); // the template wrote the BOS itself
        }
        BolmoGenerator g = generator().stopAt(stopTexts);
        return noticeIfCut(g, g.generate(ids, options, false, onText), options);
    }

    /** The DJL model (loaded now if the Java engine served inference so far). */
    public BolmoModel model() {
        return engines.model();
    }

    public BolmoConfig config() {
        return config;
    }

    public SubwordSuffixTrie trie() {
        return trie;
    }

    /** The teacher's subword tokenizer with its document ids (its ids feed the subword-suffix embedding). */
    public BpeTokenizer subwordTokenizer() {
        return subwordTokenizer;
    }

    /**
     * The same Bolmo chatting like {@code instruct} (after a task-vector merge): its chat template, special tokens and
     * stop ids, also into {@link #save}. It shares this one's weights (mapped, or the DJL model once loaded).
     */
    public LoadedBolmo withChatOf(Path instruct, ChatTemplate instructTemplate) {
        return new LoadedBolmo(config, engines, subwordTokenizer, instructTemplate != null ? instructTemplate : template,
                teacherTokenizer == null ? null : teacherTokenizer.withChatOf(TeacherTokenizer.of(instruct)));
    }

    /**
     * Writes the model in the Hugging Face Bolmo layout that transformers loads as a released Bolmo, with the teacher's
     * tokenizer, its BOS, end-of-text and pad tokens (what the byte BOS stands for when the folder is loaded again),
     * chat template and stop ids.
     */
    public void save(Path dir) {
        if (teacherTokenizer == null) {
            throw new IllegalStateException("this Bolmo was built without its teacher's tokenizer files, which a checkpoint needs");
        }
        BolmoCheckpoint.save(model(), dir, false, teacherTokenizer.withDocumentTokens(subwordTokenizer));
    }

    /**
     * Continues {@code prompt}; {@code maxNewTokens} counts bytes. Stops at BOS/EOS, or when the patches fill the
     * global model's context, with a notice on stderr. Returns the generated text.
     */
    public String generate(String prompt, SamplingOptions options, Consumer<String> onText) {
        engines.noGrad();
        BolmoGenerator g = generator();
        return noticeIfCut(g, g.generate(prompt, options, onText), options);
    }

    /** The generation's text, after a notice on stderr when the context cut it short (as an OLMo's generation says). */
    private String noticeIfCut(BolmoGenerator g, BolmoGenerator.Generation gen, SamplingOptions options) {
        if (g.stoppedAtContext()) {
            System.err.println("\n[generation stopped after " + (gen.ids().length - gen.promptLength()) + " of "
                    + options.maxNewTokens() + " bytes: prompt and continuation fill the global model's context of "
                    + config.global.maxPositionEmbeddings + " patches (max_position_embeddings)]");
        }
        return gen.text();
    }

    /**
     * The outputs {@code bolmo4j logits} writes, for the BOS-prefixed bytes of {@code text}: fused logits
     * {@code [L, 520]}, boundary log-probabilities {@code [L]} and the predicted boundaries.
     */
    public record Logits(int[] ids, float[] logits, float[] boundaryLogProb, boolean[] boundaries) {
        /** Writes {@code logits}, {@code boundary_logprob}, {@code boundaries} (float32 0/1) and {@code ids} (int64). */
        public void write(Path out) {
            int l = ids.length;
            float[] b = new float[l];
            long[] i = new long[l];
            for (int t = 0; t < l; t++) {
                b[t] = boundaries[t] ? 1f : 0f;
                i[t] = ids[t];
            }
            Map<String, HostTensor> t = new LinkedHashMap<>();
            t.put("logits", HostTensor.f32(logits, l, ByteTokenizer.VOCAB));
            t.put("boundary_logprob", HostTensor.f32(boundaryLogProb, l));
            t.put("boundaries", HostTensor.f32(b, l));
            t.put("ids", HostTensor.i64(i, l));
            Safetensors.write(out, t, Map.of());
        }
    }

    public Logits logits(String text) {
        engines.noGrad();
        int[] ids = ByteTokenizer.encode(text);
        if (ids.length < 2) {
            throw new IllegalArgumentException("need at least one byte of text");
        }
        CpuBolmo java = java();
        if (java != null) {
            CpuBolmo.Forward f = java.forward(ids, trie.expand(ids), null);
            config.checkPatches(ids.length - 1, f.patches());
            return new Logits(ids, f.logits(), f.boundaryLogProb(), f.boundaries());
        }
        try (NDScope ignored = new NDScope()) {
            BolmoModel.Forward f = engines.model().forward(ids, trie, null);
            config.checkPatches(ids.length - 1, f.patches().count(0));
            boolean[] b = new boolean[ids.length];
            for (int t = 0; t < ids.length; t++) {
                b[t] = f.patches().isBoundary(0, t);
            }
            return new Logits(ids, f.logits().toFloatArray(), f.boundaryLogProb().toFloatArray(), b);
        }
    }

    /** Bytes scored per window by {@link #score}; each window also sees up to {@link #CONTEXT} earlier bytes. */
    static final int WINDOW = 2048;
    static final int CONTEXT = 1024;

    /**
     * Bits per byte with boundary folding (docs/bolmo.md §3.7, §9): boundaries are predicted over the whole window (a newline is
     * appended so the last byte has lookahead), and each byte's probability sums its plain and fused ids. Long texts are
     * scored in windows of {@value #WINDOW} new bytes after up to {@value #CONTEXT} bytes of context, with a progress bar.
     */
    public TextScore score(String text) {
        engines.noGrad();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length == 0) {
            throw new IllegalArgumentException("cannot score an empty text");
        }
        double nll = 0;
        try (Progress progress = utf8.length > WINDOW ? Progress.start("score", utf8.length, "bytes") : null) {
            for (int start = 0; start < utf8.length; start += WINDOW) {
                int ctx = Math.max(0, start - CONTEXT), end = Math.min(utf8.length, start + WINDOW);
                int[] ids = new int[end - ctx + 2];
                ids[0] = ByteTokenizer.BOS;
                for (int i = ctx; i < end; i++) {
                    ids[1 + i - ctx] = ByteTokenizer.OFFSET + (utf8[i] & 0xFF);
                }
                ids[ids.length - 1] = end < utf8.length ? ByteTokenizer.OFFSET + (utf8[end] & 0xFF) : ByteTokenizer.OFFSET + '\n';
                double window = windowNll(ids, start - ctx, end - ctx);
                if (!Double.isFinite(window)) {
                    throw new IllegalStateException("the model gives bytes " + start + ".." + end + " of the text a"
                            + " log-likelihood of " + (-window) + ": its activations overflow");
                }
                nll += window;
                if (progress != null) {
                    progress.update(end, Map.of());
                }
            }
        }
        return new TextScore(nll, utf8.length, utf8.length);
    }

    /** Greedy continuation of {@code maxNewBytes} bytes at most (the CUTE evaluator's view). */
    @Override
    public String generate(String prompt, int maxNewBytes) {
        return generate(prompt, SamplingOptions.greedy(maxNewBytes), s -> { });
    }

    /**
     * Teacher-forced scores of the continuation's bytes after {@code context}, from one pass over both (boundaries
     * predicted over the whole text with a newline as the last byte's lookahead, as in {@link #score(String)}): each
     * byte's folded log-probability, and whether it is the argmax of the folded distribution.
     */
    @Override
    public ContinuationScore score(String context, String continuation) {
        engines.noGrad();
        int from = context.getBytes(StandardCharsets.UTF_8).length;
        int[] ids = ByteTokenizer.encode(context + continuation + "\n");
        int n = ids.length - 2 - from;
        if (n <= 0) {
            throw new IllegalArgumentException("the continuation is empty");
        }
        double[] logProbs = new double[n];
        boolean[] greedy = new boolean[n];
        float[] lp = logSoftmax(ids);
        for (int i = 0; i < n; i++) {
            int t = from + i, row = t * ByteTokenizer.VOCAB; // position t predicts id t+1
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            for (int v = 0; v < ByteTokenizer.FUSED; v++) {
                double p = Math.exp(lp[row + v]) + Math.exp(lp[row + v + ByteTokenizer.FUSED]);
                if (p > best) {
                    best = p;
                    arg = v;
                }
            }
            int next = ids[t + 1];
            logProbs[i] = Math.min(0, ByteTokenizer.foldedLogProb(lp, t, next));
            greedy[i] = arg == next;
        }
        return new ContinuationScore(logProbs, greedy);
    }

    /** Folded NLL of bytes {@code [from, to)} of the window (byte i is id i+1, predicted at position i). */
    private double windowNll(int[] ids, int from, int to) {
        return ByteTokenizer.foldedNll(logSoftmax(ids), ids, from, to);
    }

    /** The log-softmax of the full forward's logits {@code [L, 520]} over BOS-prefixed byte ids, on the inference engine. */
    private float[] logSoftmax(int[] ids) {
        CpuBolmo java = java();
        if (java != null) {
            return java.forward(ids, trie.expand(ids), null).logSoftmax();
        }
        try (NDScope ignored = new NDScope()) {
            return engines.model().forward(ids, trie, null).logits().logSoftmax(-1).toFloatArray();
        }
    }

    /** The Java engine's model when it serves inference, else null. */
    private CpuBolmo java() {
        return engines.mapped() != null ? engines.mapped() : CpuBolmo.forInference(engines.model());
    }

    /** A generator on the engine that serves inference. */
    private BolmoGenerator generator() {
        CpuBolmo mapped = engines.mapped();
        return mapped != null ? new BolmoGenerator(mapped, trie) : new BolmoGenerator(engines.model(), trie);
    }

    @Override
    public void close() {
        engines.loaded().ifPresent(BolmoModel::close);
    }
}
