package io.bolmo4j.olmo;

import io.bolmo4j.data.ContinuationScore;
import io.bolmo4j.data.ScoringModel;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.generate.Utf8Stream;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/** An OLMo checkpoint directory loaded with its {@code tokenizer.json}: text in, text or scores out. */
public final class LoadedOlmo implements AutoCloseable, ScoringModel {
    private final OlmoModel model;
    private final BpeTokenizer tokenizer;

    public LoadedOlmo(OlmoModel model, BpeTokenizer tokenizer) {
        if (tokenizer.vocabSize() > model.config().vocabSize) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocab_size is " + model.config().vocabSize);
        }
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Loads weights and {@code DIR/tokenizer.json}. */
    public static LoadedOlmo load(Path dir) {
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.exists(tok)) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json; text commands need one (use 'logits --ids' otherwise)");
        }
        BpeTokenizer tokenizer = BpeTokenizer.load(tok);
        return new LoadedOlmo(OlmoCheckpoint.load(dir), tokenizer);
    }

    public OlmoModel model() {
        return model;
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Continues {@code prompt} (prefixed with the BOS/EOS id, as OLMo was trained), streaming complete UTF-8 text to
     * {@code onText}; stops at the end-of-text token, or at the end of the context with a notice on stderr. Returns
     * the generated text.
     */
    public String generate(String prompt, SamplingOptions options, Consumer<String> onText) {
        io.bolmo4j.engine.Backend.noGrad();
        int[] ids = withBos(tokenizer.encodeIds(prompt));
        Utf8Stream utf8 = new Utf8Stream();
        StringBuilder all = new StringBuilder();
        OlmoGenerator generator = new OlmoGenerator(model).usableVocabulary(tokenizer.vocabSize());
        int[] generated = generator.generate(ids, options, id -> {
            String piece = utf8.accept(tokenizer.tokenBytes(id));
            all.append(piece);
            onText.accept(piece);
            return true;
        }, tokenizer.eosId());
        String rest = utf8.flush();
        all.append(rest);
        onText.accept(rest);
        if (generator.stoppedAtContext()) {
            System.err.println("\n[generation stopped after " + generated.length + " of " + options.maxNewTokens()
                    + " tokens: prompt and continuation fill the model's context of " + model.config().maxPositionEmbeddings
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
        int context = model.config().maxPositionEmbeddings;
        int[] ids = keepLast(withBos(tokenizer.encodeIds(prompt)), context - Math.min(maxNewBytes + 1, context / 2));
        int[] gen = new OlmoGenerator(model).usableVocabulary(tokenizer.vocabSize()).generate(ids,
                SamplingOptions.greedy(maxNewBytes + 1), id -> {
                    out.append(tokenizer.decode(new int[] {id}));
                    return out.length() < maxNewBytes;
                }, tokenizer.eosId());
        return tokenizer.decode(gen);
    }

    /** Teacher-forced log-probabilities of the continuation's tokens (tokenised together with the context). */
    @Override
    public ContinuationScore score(String context, String continuation) {
        io.bolmo4j.engine.Backend.noGrad();
        int[] ctx = tokenizer.encodeIds(context);
        int[] all = withBos(tokenizer.encodeIds(context + continuation));
        int firstNew = 1 + commonPrefix(ctx, all, 1);
        int drop = Math.max(0, all.length - 1 - model.config().maxPositionEmbeddings); // context too long: keep its end
        if (drop > 0) {
            if (firstNew - drop < 1) {
                throw new IllegalArgumentException("the continuation alone is longer than the model's context");
            }
            all = keepLast(all, all.length - drop);
            firstNew -= drop;
        }
        float[][] logits = model.logits(Arrays.copyOf(all, all.length - 1));
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

    /** Tokens of {@code ctx} that survive unchanged at the start of {@code all} (after {@code offset} BOS ids). */
    private static int commonPrefix(int[] ctx, int[] all, int offset) {
        int i = 0;
        while (i < ctx.length && offset + i < all.length && ctx[i] == all[offset + i]) {
            i++;
        }
        return i;
    }

    /**
     * Negative log-likelihood of {@code text} after a BOS, and its bits per UTF-8 byte; a text longer than one
     * window of {@link LikelihoodScorer} shows a progress bar.
     */
    public TextScore score(String text) {
        io.bolmo4j.engine.Backend.noGrad();
        int[] ids = tokenizer.encodeIds(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("cannot score an empty text");
        }
        LikelihoodScorer scorer = new LikelihoodScorer(model);
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

    /** The BOS and the last {@code n − 1} ids, when {@code ids} is longer than {@code n}. */
    private static int[] keepLast(int[] ids, int n) {
        if (ids.length <= n) {
            return ids;
        }
        int[] out = new int[n];
        out[0] = ids[0];
        System.arraycopy(ids, ids.length - (n - 1), out, 1, n - 1);
        return out;
    }

    private int[] withBos(int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = model.config().bosForScoring();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
