package io.bolmo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Params;
import io.bolmo4j.progress.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * The one optimisation loop of bolmo4j, for pretraining and both Bolmo stages: AdamW over the parameters the
 * {@link Objective} trains, the {@link Loop}'s learning-rate schedule, a non-finite loss stopping the run before it
 * touches the weights, global-norm clipping, a progress bar, a log of every step, and resumable checkpoints that
 * record the run's settings and the model it started from ({@link RunIdentity}) and refuse to continue with others.
 * An objective supplies the step: its batch, forward and backward.
 */
public final class Trainer {
    /** Parameters trained at {@code lrScale} times the loop's learning rate (the rest stay frozen). */
    public record Trained(Map<String, NDArray> params, double lrScale) {}

    /**
     * What one step measured, as a record: its total loss, and every loss part and metric by name (for logs and
     * tables).
     */
    public interface StepLosses {
        double total();

        /** The record's values in declaration order, named after its components in snake case, the total as {@code loss}. */
        default Map<String, Double> parts() {
            Map<String, Double> parts = new LinkedHashMap<>();
            Settings.components((Record) this).forEach((name, value) ->
                    parts.put(name.equals("total") ? "loss" : Settings.snake(name), (Double) value));
            return parts;
        }
    }

    /** A step's losses, and how many units (bytes, tokens) its batch held. */
    public record Measured(StepLosses losses, long units) {}

    /**
     * What a run optimises.
     *
     * @param trained    the parameters to train
     * @param step       forward and backward of step s's batch (a function of the seed and s, so a resume repeats it)
     * @param data       a fingerprint of the training data, recorded with the settings: a resume on other data is refused
     * @param unit       what a step's batch counts, e.g. {@code bytes} (progress shows it per second)
     * @param startsFrom the model this run starts from (the teacher a Stage 1 distils, the Bolmo a Stage 2 continues,
     *                   the base a fine-tune tunes): a checkpoint another model started is never resumed
     * @param evaluate   metrics measured after (1-based) step s, the last step or not, e.g. validation, added to its log
     * @param stopsAfter whether to end the run with a checkpoint after (1-based) step s, as if interrupted
     */
    public record Objective(List<Trained> trained, IntFunction<Measured> step, String data, String unit,
                            RunIdentity startsFrom, BiFunction<Integer, Boolean, Map<String, Double>> evaluate,
                            IntPredicate stopsAfter) {
        /** An objective with no evaluation that runs to its last step. */
        public Objective(List<Trained> trained, IntFunction<Measured> step, String data, String unit, RunIdentity startsFrom) {
            this(trained, step, data, unit, startsFrom, (s, last) -> Map.of(), s -> false);
        }
    }

    /** One logged step: learning rate, loss and its named parts, gradient norm, units per second, seconds since the start. */
    public record Step(int step, double lr, double loss, Map<String, Double> parts, double gradNorm, double perSecond,
                       double seconds) {}

    /** The steps of a run (resumed ones included), and whether it ran to its last step. */
    public record Run(List<Step> log, boolean finished) {}

    /**
     * Resumable checkpoints in {@code dir} every {@code every} steps and after the last one: a run started again with
     * one there continues from it when its settings are the same (or with {@code resumeAnyway}).
     */
    public record Checkpoints(Path dir, int every, boolean resumeAnyway) {
        public Checkpoints {
            if (every < 1) {
                throw new IllegalArgumentException("checkpoint interval must be at least 1 step, got " + every);
            }
        }
    }

    /** Logged steps in checkpoints: a loss part may be NaN. */
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final String label;
    private final Params params;
    private final Checkpoints checkpoints;

    /**
     * @param label       what progress, messages and checkpoints call the run, e.g. {@code stage 1}
     * @param params      every parameter of the model (checkpoints hold them all)
     * @param checkpoints where to keep checkpoints, or null for none
     */
    public Trainer(String label, Params params, Checkpoints checkpoints) {
        this.label = label;
        this.params = params;
        this.checkpoints = checkpoints;
    }

    /** No weight decay on norms and on Bolmo's embedding tables (OLMo's {@code embed_tokens} decays, as pretrained). */
    static boolean noDecay(String name) {
        return name.contains("embedding") || name.endsWith("norm.weight");
    }

    /** Runs {@code settings.loop()} on {@code objective}, handing every logged step to {@code onStep}. */
    public <R extends Record & Recipe<R>> Run run(R settings, Objective objective, Consumer<Step> onStep) {
        Backend.noGrad();
        Loop loop = settings.loop();
        List<AdamW.Group> groups = new ArrayList<>();
        objective.trained().forEach(t -> groups.addAll(AdamW.decayGroups(t.params(), t.lrScale(), loop.weightDecay(), Trainer::noDecay)));
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        groups.forEach(g -> trainable.putAll(g.params()));
        trainable.values().forEach(p -> p.setRequiresGradient(true));
        NDManager state = Backend.newManager();
        AdamW opt = new AdamW(groups, 0.9, 0.95, 1e-8, state);
        LrSchedule schedule = loop.learningRates();
        List<Step> log = new ArrayList<>();
        JsonObject recorded = recorded(settings, objective.data());
        RunIdentity identity = objective.startsFrom();
        try {
            if (checkpoints != null && TrainCheckpoint.exists(checkpoints.dir())) {
                resume(opt, loop, recorded, identity, log, onStep);
            }
            double before = log.isEmpty() ? 0 : log.get(log.size() - 1).seconds();
            long t0 = System.nanoTime();
            try (Progress progress = Progress.start(label, Math.max(1, loop.steps()), "steps")) {
                for (int s = log.size(); s < loop.steps(); s++) {
                    if (Thread.currentThread().isInterrupted()) { // only between steps: the weights are always a whole step's
                        throw new CancellationException(label + " interrupted after step " + s + " of " + loop.steps()
                                + "; the model keeps the weights of that step");
                    }
                    long ts = System.nanoTime();
                    Measured m = objective.step().apply(s);
                    double loss = m.losses().total();
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException(label + " loss is " + loss + " at step " + s
                                + (checkpoints == null ? "" : "; the last good checkpoint is in " + checkpoints.dir()));
                    }
                    double norm = opt.gradNorm();
                    double lr = schedule.at(s);
                    opt.step(lr, Math.min(1, loop.clip() / (norm + 1e-6)));
                    double perSecond = m.units() / ((System.nanoTime() - ts) / 1e9);
                    boolean last = s + 1 == loop.steps();
                    Map<String, Double> parts = m.losses().parts();
                    parts.putAll(objective.evaluate().apply(s + 1, last));
                    Step st = new Step(s + 1, lr, loss, parts, norm, perSecond, before + (System.nanoTime() - t0) / 1e9);
                    log.add(st);
                    onStep.accept(st);
                    Map<String, Object> metrics = new LinkedHashMap<>(parts);
                    metrics.put(objective.unit() + "/s", Math.round(perSecond));
                    progress.update(s + 1, metrics);
                    boolean stop = objective.stopsAfter().test(s + 1) && !last;
                    if (checkpoints != null && ((s + 1) % checkpoints.every() == 0 || last || stop)) {
                        TrainCheckpoint.save(checkpoints.dir(), params, opt, state(loop, recorded, identity, log));
                    }
                    if (stop) {
                        return new Run(log, false);
                    }
                }
            }
        } finally {
            trainable.values().forEach(p -> p.setRequiresGradient(false));
            state.close();
        }
        return new Run(log, true);
    }

    /** The settings by name, and a fingerprint of the training data. */
    private static JsonObject recorded(Record settings, String data) {
        JsonObject o = new JsonObject();
        Settings.values(settings).forEach((name, value) -> o.addProperty(name, String.valueOf(value)));
        o.addProperty("trainingData", data);
        return o;
    }

    private JsonObject state(Loop loop, JsonObject settings, RunIdentity identity, List<Step> log) {
        JsonObject st = new JsonObject();
        st.addProperty("stage", label);
        identity.recordIn(st);
        st.addProperty("steps", loop.steps());
        st.add("settings", settings);
        st.addProperty("step", log.size());
        st.add("log", GSON.toJsonTree(log));
        return st;
    }

    /**
     * Loads the checkpoint and replays its log into {@code log} and {@code onStep}. A checkpoint of another run or
     * started from another model is refused; one made with other settings too, unless
     * {@link Checkpoints#resumeAnyway()}. A refused checkpoint leaves the weights as they were.
     */
    private void resume(AdamW opt, Loop loop, JsonObject settings, RunIdentity identity, List<Step> log,
                        Consumer<Step> onStep) {
        Path dir = checkpoints.dir();
        JsonObject st = TrainCheckpoint.state(dir);
        String was = st.has("stage") ? st.get("stage").getAsString() : "an unnamed run";
        if (!label.equals(was)) {
            throw new IllegalArgumentException(dir + " holds a checkpoint of " + was + ", not of " + label
                    + ": use another checkpoint folder or delete it");
        }
        identity.check(dir, st); // no setting overrides it: the checkpoint's weights would mix two models
        String changed = differences(st.has("settings") ? st.getAsJsonObject("settings") : new JsonObject(), settings);
        if (!changed.isEmpty()) {
            if (!checkpoints.resumeAnyway()) {
                throw new IllegalArgumentException(dir + " holds a " + label + " checkpoint made with other settings ("
                        + changed + "): run with the checkpoint's settings to resume it, resume anyway"
                        + " (--resume-anyway), or delete the folder to start afresh");
            }
            System.err.println(label + ": resuming anyway with changed settings (" + changed + ")");
        }
        TrainCheckpoint.load(dir, params, opt);
        for (JsonElement e : st.getAsJsonArray("log")) {
            Step s = GSON.fromJson(e, Step.class);
            log.add(s);
            onStep.accept(s);
        }
        System.err.println(label + ": resuming from step " + log.size() + " of " + loop.steps() + " (" + dir + ")");
    }

    /**
     * "name was X, now Y" for every setting that differs, separated by "; "; empty when none does. A setting the
     * checkpoint does not record is newer than it and is not compared.
     */
    private static String differences(JsonObject was, JsonObject now) {
        List<String> out = new ArrayList<>();
        for (String key : now.keySet()) {
            if (was.has(key) && !was.get(key).getAsString().equals(now.get(key).getAsString())) {
                out.add(key + " was " + was.get(key).getAsString() + ", now " + now.get(key).getAsString());
            }
        }
        return String.join("; ", out);
    }
}
