package io.bolmo4j.olmo;

import io.bolmo4j.chat.ChatModel;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.SpecialTokens;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.cpu.EngineModels;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.data.ContinuationScore;
import io.bolmo4j.data.ScoringModel;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.generate.Utf8Stream;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * An OLMo checkpoint directory loaded with its {@code tokenizer.json}: text in, text or scores out. Loaded for the
 * Java inference engine ({@link InferenceEngine}), the weights stay in the mapped files until {@link #model()} is
 * asked for ({@link EngineModels}).
 */
public final class LoadedOlmo implements AutoCloseable, ScoringModel, ChatModel {
    private final OlmoConfig config;
    private final EngineModels<OlmoModel, CpuOlmo> engines;
    private final BpeTokenizer tokenizer;
    private final SpecialTokens special;
    private final ChatTemplate template;

    /** A model and tokenizer without a directory: BOS and stop ids from the model's config alone, no chat template. */
    public LoadedOlmo(OlmoModel model, BpeTokenizer tokenizer) {
        this(model, tokenizer, SpecialTokens.of(model.config().toJson(), tokenizer), null);
    }

    /**
     * @param special  the model's BOS, end-of-text and stop ids; the tokenizer takes its document ids from them
     * @param template the model's chat template, or null
     */
    public LoadedOlmo(OlmoModel model, BpeTokenizer tokenizer, SpecialTokens special, ChatTemplate template) {
        this(model.config(), new EngineModels<>(model, null, null), tokenizer, special, template);
    }

    private LoadedOlmo(OlmoConfig config, EngineModels<OlmoModel, CpuOlmo> engines, BpeTokenizer tokenizer,
                       SpecialTokens special, ChatTemplate template) {
        if (tokenizer.vocabSize() > config.vocabSize) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocab_size is " + config.vocabSize);
        }
        this.config = config;
        this.engines = engines;
        this.tokenizer = tokenizer.withDocumentTokens(special.document());
        this.special = special;
        this.template = template;
    }

    /**
     * Loads weights and {@code DIR/tokenizer.json}, the chat template if the model has one, and the BOS and stop ids
     * of config.json, generation_config.json and tokenizer_config.json ({@link SpecialTokens}).
     */
    public static LoadedOlmo load(Path dir) {
        return load(dir, WeightType.FLOAT32);
    }

    /**
     * Loads weights and {@code DIR/tokenizer.json}. On the Java engine the weights are mapped as stored and
     * {@code type} applies when the DJL model is asked for; on DJL the matrices are held as {@code type}.
     */
    public static LoadedOlmo load(Path dir, WeightType type) {
        HfCheckpoint.requireComplete(dir);
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.exists(tok)) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json; text commands need one (use 'logits --ids' otherwise)");
        }
        BpeTokenizer tokenizer = BpeTokenizer.load(tok);
        ChatTemplate template = ChatTemplate.find(dir).orElse(null);
        SpecialTokens special = SpecialTokens.read(dir, tokenizer, template);
        if (InferenceEngine.current() == InferenceEngine.JAVA) {
            CpuOlmo mapped = CpuOlmo.load(dir);
            return new LoadedOlmo(mapped.config(), new EngineModels<>(null, mapped, () -> OlmoCheckpoint.load(dir, type)), tokenizer,
                    special, template);
        }
        return new LoadedOlmo(OlmoCheckpoint.load(dir, type), tokenizer, special, template);
    }

    /** The DJL model (loaded now if the Java engine served inference so far). */
    public OlmoModel model() {
        return engines.model();
    }

    public OlmoConfig config() {
        return config;
    }

    /** The tokenizer, with the document ids (BOS, end-of-text, pad) this model's directory declares. */
    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    /** The BOS and stop ids this model generates and scores with. */
    public SpecialTokens specialTokens() {
        return special;
    }

    /** The model's own chat template, if it has one. */
    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(template);
    }

    /**
     * Continues {@code prompt} (prefixed with the BOS id, as OLMo was trained), streaming complete UTF-8 text to
     * {@code onText}; stops at any stop id, or at the end of the context with a notice on stderr. Returns the
     * generated text.
     */
    public String generate(String prompt, SamplingOptions options, Consumer<String> onText) {
        return stream(withBos(tokenizer.encodeIds(prompt)), options, onText);
    }

    /**
     * Continues a prompt rendered by a chat template as Hugging Face tokenizes one: special-token strings become their
     * ids and no BOS is added (the template writes its own if the model wants one).
     */
    @Override
    public String generateRendered(String rendered, SamplingOptions options, Consumer<String> onText) {
        return stream(tokenizer.encodeIds(rendered, true), options, onText);
    }

    private String stream(int[] ids, SamplingOptions options, Consumer<String> onText) {
        engines.noGrad();
        Utf8Stream utf8 = new Utf8Stream();
        StringBuilder all = new StringBuilder();
        OlmoGenerator generator = generator();
        int[] generated = generator.generate(ids, options, id -> {
            String piece = utf8.accept(tokenizer.tokenBytes(id));
            all.append(piece);
            onText.accept(piece);
            return true;
        }, special.stopIds());
        String rest = utf8.flush();
        all.append(rest);
        onText.accept(rest);
        if (generator.stoppedAtContext()) {
            System.err.println("\n[generation stopped after " + generated.length + " of " + options.maxNewTokens()
                    + " tokens: prompt and continuation fill the model's context of " + config.maxPositionEmbeddings
                    + " tokens (max_position_embeddings)]");
        }
        return all.toString();
    }

    /**
     * Greedy continuation, stopping once {@code maxNewBytes} bytes are out (tokens ≥ bytes/4, plus slack). A prompt
     * longer than the context keeps its last tokens (after the BOS), leaving room for the answer.
     */
    @Override
    public String generate(String prompt, int maxNewBytes) {
        StringBuilder out = new StringBuilder();
        int context = config.maxPositionEmbeddings;
        int[] ids = keepLast(withBos(tokenizer.encodeIds(prompt)), context - Math.min(maxNewBytes + 1, context / 2));
        int[] gen = generator().generate(ids,
                SamplingOptions.greedy(maxNewBytes + 1), id -> {
                    out.append(tokenizer.decode(new int[] {id}));
                    return out.length() < maxNewBytes;
                }, special.stopIds());
        return tokenizer.decode(gen);
    }

    /** Teacher-forced log-probabilities of the continuation's tokens (tokenised together with the context). */
    @Override
    public ContinuationScore score(String context, String continuation) {
        engines.noGrad();
        int[] ctx = tokenizer.encodeIds(context);
        int[] all = withBos(tokenizer.encodeIds(context + continuation));
        int mismatch = Arrays.mismatch(ctx, 0, ctx.length, all, 1, all.length);
        int firstNew = 1 + (mismatch < 0 ? ctx.length : mismatch); // the context's tokens that survive unchanged
        int drop = Math.max(0, all.length - 1 - config.maxPositionEmbeddings); // context too long: keep its end
        if (drop > 0) {
            if (firstNew - drop < 1) {
                throw new IllegalArgumentException("the continuation alone is longer than the model's context");
            }
            all = keepLast(all, all.length - drop);
            firstNew -= drop;
        }
        float[][] logits = logits(Arrays.copyOf(all, all.length - 1));
        int n = all.length - firstNew;
        if (n <= 0) {
            throw new IllegalArgumentException("the continuation adds no token");
        }
        double[] lp = new double[n];
        boolean[] greedy = new boolean[n];
        for (int i = 0; i < n; i++) {
            float[] row = logits[firstNew - 1 + i];
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int v = 0; v < tokenizer.vocabSize(); v++) {
                max = Math.max(max, row[v]);
            }
            for (int v = 0; v < tokenizer.vocabSize(); v++) {
                z += Math.exp(row[v] - max);
            }
            int target = all[firstNew + i];
            lp[i] = Math.min(0, row[target] - max - Math.log(z));
            greedy[i] = row[target] == max;
        }
        return new ContinuationScore(lp, greedy);
    }

    /**
     * Negative log-likelihood of {@code text} after a BOS, and its bits per UTF-8 byte; a text longer than one
     * window of {@link LikelihoodScorer} shows a progress bar.
     */
    public TextScore score(String text) {
        engines.noGrad();
        int[] ids = tokenizer.encodeIds(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("cannot score an empty text");
        }
        CpuOlmo mapped = engines.mapped();
        LikelihoodScorer scorer = mapped != null ? new LikelihoodScorer(mapped) : new LikelihoodScorer(engines.model());
        double[] nll;
        if (ids.length < scorer.window()) {
            nll = scorer.tokenNll(withBos(ids));
        } else {
            try (Progress progress = Progress.start("score", ids.length, "tokens")) {
                progress.update(0, Map.of());
                nll = scorer.tokenNll(withBos(ids), done -> progress.update(done, Map.of()));
            }
        }
        return new TextScore(Arrays.stream(nll).sum(), text.getBytes(StandardCharsets.UTF_8).length, ids.length);
    }

    /** A generator on the engine that serves inference, within the tokenizer's ids. */
    private OlmoGenerator generator() {
        CpuOlmo mapped = engines.mapped();
        return (mapped != null ? new OlmoGenerator(mapped) : new OlmoGenerator(engines.model())).usableVocabulary(tokenizer.vocabSize());
    }

    /** Logits {@code [T][vocab]} of ids from position 0, on the engine that serves inference. */
    private float[][] logits(int[] ids) {
        CpuOlmo java = engines.mapped() != null ? engines.mapped() : CpuOlmo.forInference(engines.model());
        return java != null ? java.logits(ids) : engines.model().logits(ids);
    }

    /** The BOS and the last {@code n − 1} ids, when {@code ids} is longer than {@code n}. */
    private static int[] keepLast(int[] ids, int n) {
        return ids.length <= n ? ids
                : IntStream.concat(IntStream.of(ids[0]), Arrays.stream(ids, ids.length - (n - 1), ids.length)).toArray();
    }

    private int[] withBos(int[] ids) {
        return IntStream.concat(IntStream.of(special.bos()), IntStream.of(ids)).toArray();
    }

    @Override
    public void close() {
        engines.loaded().ifPresent(OlmoModel::close);
    }
}
