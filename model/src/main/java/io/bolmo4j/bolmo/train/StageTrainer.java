package io.bolmo4j.bolmo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.AdamW;
import io.bolmo4j.train.LrSchedule;
import io.bolmo4j.train.RunIdentity;
import io.bolmo4j.train.TrainCheckpoint;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * The loop Stage 1 and Stage 2 share: batches of teacher-tokenised examples in a seeded shuffled order, AdamW with
 * warmup + linear decay and global-norm clipping, a progress bar, a log of every step, and optional checkpoints that a
 * killed run resumes from exactly (each step's batch is a function of the seed and the step). A stage supplies the
 * parameter groups and the loss of one batch.
 */
public abstract class StageTrainer {
    /** Loop settings common to both stages. */
    record Loop(int steps, int batch, int bytesPerExample, double lr, double warmupFraction, double clip, long seed) {}

    /** One logged step: learning rate, total loss, named loss parts and metrics, throughput. */
    public record Step(int step, double lr, double loss, Map<String, Double> parts, double bytesPerSecond) {}

    /**
     * What one training step measured, as a record: its total loss, and every loss part and metric by name (for logs
     * and tables).
     */
    interface StepLosses {
        double total();

        /** The record's values in declaration order, named after its components in snake case, the total as {@code loss}. */
        default Map<String, Double> parts() {
            Map<String, Double> parts = new LinkedHashMap<>();
            components((Record) this).forEach((name, value) -> parts.put(
                    name.equals("total") ? "loss" : name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT), (Double) value));
            return parts;
        }
    }

    /** A record's components by name, in declaration order. */
    private static Map<String, Object> components(Record r) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                values.put(c.getName(), c.getAccessor().invoke(r));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + r, e);
            }
        }
        return values;
    }

    protected final BolmoModel student;
    protected final BpeTokenizer tokenizer;
    protected final SubwordSuffixTrie trie;
    private Path checkpointDir;
    private int checkpointEvery;
    private boolean resumeAnyway;
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
        if (every < 1) {
            throw new IllegalArgumentException("checkpoint interval must be at least 1 step, got " + every);
        }
        this.checkpointDir = dir;
        this.checkpointEvery = every;
        this.resumeAnyway = resumeAnyway;
    }

    /** How checkpoints name the model this run starts from (e.g. {@code "teacher runs/olmo"}), next to its fingerprint. */
    public void startsFrom(String name) {
        this.startsFrom = name;
    }

    /** The weights that identify what a run starts from ({@link RunIdentity}): all of them, unless a stage says less. */
    Map<String, NDArray> startingWeights() {
        return student.params().asMap();
    }

    /** Parameter groups to optimise (anything left out stays frozen). */
    abstract List<AdamW.Group> groups();

    /** Forward + backward of one batch at step {@code s}. */
    abstract StepLosses step(Stage1Batch batch, int s);

    /** Runs the loop; {@code settings} (the stage's config record) is recorded in checkpoints and checked on resume. */
    final List<Step> train(List<String> texts, Loop loop, Record settings, String label, Consumer<Step> onStep) {
        Backend.noGrad();
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
        Batches batches = new Batches(examples, loop);
        JsonObject recorded = settings(settings, examples);
        RunIdentity identity = RunIdentity.of(startsFrom, startingWeights());
        int start = 0;
        if (checkpointDir != null && TrainCheckpoint.exists(checkpointDir)) {
            start = resume(opt, loop, label, recorded, identity, log, onStep);
        }
        try (Progress progress = Progress.start(label, Math.max(1, loop.steps()), "steps")) {
            for (int s = start; s < loop.steps(); s++) {
                if (Thread.currentThread().isInterrupted()) { // only between steps: the weights are always a whole step's
                    throw new CancellationException(label + " interrupted after step " + s + " of " + loop.steps()
                            + "; the model keeps the weights of that step");
                }
                List<int[]> rows = batches.at(s);
                long t0 = System.nanoTime();
                Stage1Batch batch = Stage1Batch.of(rows, tokenizer, trie, loop.bytesPerExample());
                StepLosses losses = step(batch, s);
                Map<String, Double> parts = losses.parts();
                double loss = losses.total();
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException(label + " loss is " + loss + " at step " + s);
                }
                double norm = opt.gradNorm();
                double lr = schedule.at(s);
                opt.step(lr, Math.min(1, loop.clip() / (norm + 1e-6)));
                long bytes = Arrays.stream(batch.realBytes).asLongStream().sum();
                Step st = new Step(s + 1, lr, loss, parts, bytes / ((System.nanoTime() - t0) / 1e9));
                log.add(st);
                onStep.accept(st);
                Map<String, Object> metrics = new LinkedHashMap<>(parts);
                metrics.put("bytes/s", Math.round(st.bytesPerSecond()));
                progress.update(s + 1, metrics);
                if (checkpointDir != null && ((s + 1) % checkpointEvery == 0 || s + 1 == loop.steps())) {
                    TrainCheckpoint.save(checkpointDir, student.params(), opt, state(label, loop, recorded, log), identity);
                }
            }
        } finally {
            trainable.values().forEach(p -> p.setRequiresGradient(false));
            state.close();
        }
        return log;
    }

    /** Each step's batch as a function of (seed, step): epoch e is the examples shuffled by a generator seeded with e. */
    private static final class Batches {
        private final List<int[]> examples;
        private final Loop loop;
        private List<int[]> order;
        private long epoch = -1;

        Batches(List<int[]> examples, Loop loop) {
            this.examples = examples;
            this.loop = loop;
        }

        List<int[]> at(int step) {
            List<int[]> rows = new ArrayList<>(loop.batch());
            for (int i = 0; i < loop.batch(); i++) {
                long k = (long) step * loop.batch() + i;
                if (k / examples.size() != epoch) {
                    epoch = k / examples.size();
                    order = new ArrayList<>(examples);
                    Collections.shuffle(order, new Random(loop.seed() * 1_000_003L + epoch));
                }
                rows.add(order.get((int) (k % examples.size())));
            }
            return rows;
        }
    }

    /** The config record's components by name, and a fingerprint of the training examples. */
    private static JsonObject settings(Record config, List<int[]> examples) {
        JsonObject o = new JsonObject();
        components(config).forEach((name, value) -> o.addProperty(name, String.valueOf(value)));
        long h = 1;
        for (int[] e : examples) {
            h = 31 * h + Arrays.hashCode(e);
        }
        o.addProperty("trainingData", examples.size() + " examples #" + Long.toHexString(h));
        return o;
    }

    private static JsonObject state(String label, Loop loop, JsonObject settings, List<Step> log) {
        JsonObject st = new JsonObject();
        st.addProperty("stage", label);
        st.addProperty("steps", loop.steps());
        st.add("settings", settings);
        st.addProperty("step", log.size());
        JsonArray rows = new JsonArray();
        for (Step s : log) {
            JsonObject r = new JsonObject();
            r.addProperty("step", s.step());
            r.addProperty("lr", s.lr());
            r.addProperty("loss", s.loss());
            r.addProperty("bytes_per_s", s.bytesPerSecond());
            JsonObject parts = new JsonObject();
            s.parts().forEach(parts::addProperty);
            r.add("parts", parts);
            rows.add(r);
        }
        st.add("log", rows);
        return st;
    }

    /**
     * Loads the checkpoint, replays its log, and returns the step to continue from. A checkpoint of another stage is
     * refused; one made with other settings too, unless {@link #resumeAnyway}.
     */
    private int resume(AdamW opt, Loop loop, String label, JsonObject settings, RunIdentity identity, List<Step> log,
                       Consumer<Step> onStep) {
        JsonObject st = TrainCheckpoint.load(checkpointDir, student.params(), opt, identity);
        if (!label.equals(st.get("stage").getAsString())) {
            throw new IllegalArgumentException(checkpointDir + " holds a checkpoint of " + st.get("stage").getAsString()
                    + ", not of " + label + ": use another checkpoint folder or delete it");
        }
        String changed = differences(st.has("settings") ? st.getAsJsonObject("settings") : new JsonObject(), settings);
        if (!changed.isEmpty()) {
            if (!resumeAnyway) {
                throw new IllegalArgumentException(checkpointDir + " holds a " + label + " checkpoint made with other settings ("
                        + changed + "): run with the checkpoint's settings to resume it, resume anyway"
                        + " (--resume-anyway), or delete the folder to start afresh");
            }
            System.err.println(label + ": resuming anyway with changed settings (" + changed + ")");
        }
        for (var e : st.getAsJsonArray("log")) {
            JsonObject r = e.getAsJsonObject();
            Map<String, Double> parts = new LinkedHashMap<>();
            r.getAsJsonObject("parts").entrySet().forEach(p -> parts.put(p.getKey(), p.getValue().getAsDouble()));
            Step s = new Step(r.get("step").getAsInt(), r.get("lr").getAsDouble(), r.get("loss").getAsDouble(), parts,
                    r.get("bytes_per_s").getAsDouble());
            log.add(s);
            onStep.accept(s);
        }
        System.err.println(label + ": resuming from step " + log.size() + " of " + loop.steps() + " (" + checkpointDir + ")");
        return log.size();
    }

    /** "name was X, now Y" for every setting that differs, separated by "; "; empty when none does. */
    private static String differences(JsonObject was, JsonObject now) {
        List<String> out = new ArrayList<>();
        for (String key : now.keySet()) {
            String before = was.has(key) ? was.get(key).getAsString() : "(not recorded)";
            if (!before.equals(now.get(key).getAsString())) {
                out.add(key + " was " + before + ", now " + now.get(key).getAsString());
            }
        }
        return String.join("; ", out);
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

    /** Validates one stage setting with a message that names it and the value given. */
    static void require(boolean ok, String setting, String expected, Object value) {
        if (!ok) {
            throw new SettingException(setting, expected, value);
        }
    }

    /** The settings every stage's training loop has, validated alike. */
    static void requireLoop(int steps, int batch, int bytesPerExample, double lr) {
        require(steps >= 0, "steps", "an integer >= 0", steps);
        require(batch >= 1, "batch", "an integer >= 1", batch);
        require(bytesPerExample >= 8, "bytesPerExample", "an integer >= 8", bytesPerExample);
        require(lr > 0 && Double.isFinite(lr), "lr", "a finite number > 0", lr);
    }

    /** No weight decay on embeddings and norms. */
    static boolean noDecay(String name) {
        return name.contains("embedding") || name.endsWith("norm.weight");
    }

    static int[] flat(int[][] a) {
        return Arrays.stream(a).flatMapToInt(Arrays::stream).toArray();
    }
}
