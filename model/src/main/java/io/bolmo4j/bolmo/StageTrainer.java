package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.AdamW;
import io.bolmo4j.train.LrSchedule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The loop Stage 1 and Stage 2 share: batches of teacher-tokenised examples in a seeded shuffled order, AdamW with
 * warmup + linear decay and global-norm clipping, a progress bar, a log of every step. A stage supplies the parameter
 * groups and the loss of one batch.
 */
public abstract class StageTrainer {
    /** Loop settings common to both stages. */
    record Loop(int steps, int batch, int bytesPerExample, double lr, double warmupFraction, double clip, long seed) {}

    /** One logged step: learning rate, total loss, named loss parts and metrics, throughput. */
    public record Step(int step, double lr, double loss, Map<String, Double> parts, double bytesPerSecond) {}

    protected final BolmoModel student;
    protected final BpeTokenizer tokenizer;
    protected final SubwordSuffixTrie trie;

    StageTrainer(BolmoModel student, BpeTokenizer tokenizer) {
        this.student = student;
        this.tokenizer = tokenizer;
        this.trie = SubwordSuffixTrie.of(tokenizer);
    }

    /** Parameter groups to optimise (anything left out stays frozen). */
    abstract List<AdamW.Group> groups();

    /** Forward + backward of one batch at step {@code s}; returns the total loss first, then named parts. */
    abstract Map<String, Double> step(Stage1Batch batch, int s);

    final List<Step> train(List<String> texts, Loop loop, String label, Consumer<Step> onStep) {
        io.bolmo4j.engine.Backend.noGrad();
        List<int[]> examples = Stage1Batch.examples(texts, tokenizer, loop.bytesPerExample());
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training examples: the texts are empty or shorter than two tokens");
        }
        List<AdamW.Group> groups = groups();
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        groups.forEach(g -> trainable.putAll(g.params()));
        trainable.values().forEach(p -> p.setRequiresGradient(true));
        NDManager state = Backend.newManager();
        AdamW opt = new AdamW(groups, 0.9, 0.95, 1e-8, state);
        LrSchedule schedule = LrSchedule.warmupLinear(loop.lr(), Math.max(1, loop.steps()), loop.warmupFraction());
        List<Step> log = new ArrayList<>();
        Random rng = new Random(loop.seed());
        List<int[]> order = new ArrayList<>(examples);
        int cursor = order.size();
        try (Progress progress = Progress.start(label, Math.max(1, loop.steps()), "steps")) {
            for (int s = 0; s < loop.steps(); s++) {
                List<int[]> rows = new ArrayList<>();
                for (int i = 0; i < loop.batch(); i++) {
                    if (cursor == order.size()) {
                        Collections.shuffle(order, rng);
                        cursor = 0;
                    }
                    rows.add(order.get(cursor++));
                }
                long t0 = System.nanoTime();
                Stage1Batch batch = Stage1Batch.of(rows, tokenizer, trie, loop.bytesPerExample());
                Map<String, Double> parts = step(batch, s);
                double loss = parts.get("loss");
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException(label + " loss is " + loss + " at step " + s);
                }
                double norm = opt.gradNorm();
                double lr = schedule.at(s);
                opt.step(lr, Math.min(1, loop.clip() / (norm + 1e-6)));
                long bytes = 0;
                for (int b : batch.realBytes) {
                    bytes += b;
                }
                Step st = new Step(s + 1, lr, loss, parts, bytes / ((System.nanoTime() - t0) / 1e9));
                log.add(st);
                onStep.accept(st);
                Map<String, Object> metrics = new LinkedHashMap<>(parts);
                metrics.put("bytes/s", Math.round(st.bytesPerSecond()));
                progress.update(s + 1, metrics);
            }
        } finally {
            trainable.values().forEach(p -> p.setRequiresGradient(false));
            state.close();
        }
        return log;
    }

    /** All non-global parameters (the local models, boundary predictor, final norm and LM head). */
    final Map<String, NDArray> localParams() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        student.params().asMap().forEach((k, v) -> {
            if (!k.startsWith("model.layers.")) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** No weight decay on embeddings and norms. */
    static boolean noDecay(String name) {
        return name.contains("embedding") || name.endsWith("norm.weight");
    }

    static int[] flat(int[][] a) {
        int[] out = new int[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
        }
        return out;
    }
}
