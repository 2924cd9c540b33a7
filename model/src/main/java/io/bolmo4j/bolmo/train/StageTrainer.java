package io.bolmo4j.bolmo.train;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.Recipe;
import io.bolmo4j.train.RunIdentity;
import io.bolmo4j.train.Trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * What Stage 1 and Stage 2 share on top of the {@link Trainer}: examples of whole teacher tokens cut from the texts,
 * each step's {@link TokenBatch} drawn in a seeded shuffled order (a function of the seed and the step, so a killed
 * run resumes exactly), and where checkpoints go. A stage supplies the parameters it trains and the loss of a batch.
 */
public abstract class StageTrainer {
    protected final BolmoModel student;
    protected final BpeTokenizer tokenizer;
    protected final SubwordSuffixTrie trie;
    private Trainer.Checkpoints checkpoints;
    private String startsFrom = "the model given";

    StageTrainer(BolmoModel student, BpeTokenizer tokenizer) {
        this.student = student;
        this.tokenizer = tokenizer;
        this.trie = SubwordSuffixTrie.of(tokenizer);
    }

    /**
     * Saves a resumable checkpoint into {@code dir} every {@code every} steps and after the last one: all parameters,
     * the AdamW moments, the step, the log so far and the run's settings. If {@code dir} already holds one from the
     * same stage and settings, training continues from it (its logged steps are replayed to the step listener first);
     * one made with other settings is refused, listing the differences.
     */
    public void checkpoints(Path dir, int every) {
        checkpoints(dir, every, false);
    }

    /** As {@link #checkpoints(Path, int)}; {@code resumeAnyway} continues a checkpoint made with other settings. */
    public void checkpoints(Path dir, int every, boolean resumeAnyway) {
        checkpoints = new Trainer.Checkpoints(dir, every, resumeAnyway);
    }

    /** How checkpoints name the model this run starts from (e.g. {@code "teacher runs/olmo"}), next to its fingerprint. */
    public void startsFrom(String name) {
        this.startsFrom = name;
    }

    /** The weights that identify what a run starts from ({@link RunIdentity}): all of them, unless a stage says less. */
    Map<String, NDArray> startingWeights() {
        return student.params().asMap();
    }

    /** Runs {@code config}'s loop over batches of {@code texts}, {@code step} giving each batch's losses at a step. */
    final <R extends Record & Recipe<R>> List<Trainer.Step> train(String label, R config, int bytesPerExample, List<String> texts,
                                                             List<Trainer.Trained> trained,
                                                             BiFunction<TokenBatch, Integer, Trainer.StepLosses> step,
                                                             Consumer<Trainer.Step> onStep) {
        List<int[]> examples = TokenBatch.examples(texts, tokenizer, bytesPerExample);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training examples: the texts are empty or shorter than two tokens");
        }
        Batches batches = new Batches(examples, config.loop().batch(), config.loop().seed());
        long h = 1;
        for (int[] e : examples) {
            h = 31 * h + Arrays.hashCode(e);
        }
        Trainer.Objective objective = new Trainer.Objective(trained, s -> {
            TokenBatch batch = TokenBatch.of(batches.at(s), tokenizer, trie, bytesPerExample);
            return new Trainer.Measured(step.apply(batch, s), Arrays.stream(batch.realBytes).asLongStream().sum());
        }, examples.size() + " examples #" + Long.toHexString(h), "bytes", RunIdentity.of(startsFrom, startingWeights()));
        return new Trainer(label, student.params(), checkpoints).run(config, objective, onStep).log();
    }

    /** Each step's batch as a function of (seed, step): epoch e is the examples shuffled by a generator seeded with e. */
    private static final class Batches {
        private final List<int[]> examples;
        private final int batch;
        private final long seed;
        private List<int[]> order;
        private long epoch = -1;

        Batches(List<int[]> examples, int batch, long seed) {
            this.examples = examples;
            this.batch = batch;
            this.seed = seed;
        }

        List<int[]> at(int step) {
            List<int[]> rows = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                long k = (long) step * batch + i;
                if (k / examples.size() != epoch) {
                    epoch = k / examples.size();
                    order = new ArrayList<>(examples);
                    Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
                }
                rows.add(order.get((int) (k % examples.size())));
            }
            return rows;
        }
    }

    /** The global model's parameters, or ({@code global} false) all others: local models, boundary predictor, final norm, LM head. */
    final Map<String, NDArray> params(boolean global) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        student.params().asMap().forEach((k, v) -> {
            if (ParameterLayout.isGlobal(k) == global) {
                m.put(k, v);
            }
        });
        return m;
    }
}
