package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.eval.OracleStates;
import io.bolmo4j.chat.ChatModel;
import io.bolmo4j.data.CuteEval;
import io.bolmo4j.data.CuteTaskResult;
import io.bolmo4j.data.InstructionTasks;
import io.bolmo4j.data.ScoringModel;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Task-accuracy tables for comparing models (teacher, instruct teacher, Bolmo before and after a merge). */
public final class Tasks {
    /** Seed of the held-out instruction prompts: every model is asked the same questions. */
    private static final long SEED = 99;
    private static final String RESET = "instruct, base embeddings";

    private Tasks() {}

    /** {@link Olmo#instructionAccuracy} of an OLMo or a Bolmo. */
    static <M extends ScoringModel & ChatModel> InstructionTasks.Accuracy instructionAccuracy(M model, BpeTokenizer tokenizer, int perTask) {
        var template = model.chatTemplate().orElse(null);
        InstructionTasks.Generator greedy = template == null ? model::generate
                : (p, n) -> model.generateRendered(p, SamplingOptions.greedy(n), s -> { });
        return InstructionTasks.exactMatch(greedy, InstructionTasks.builtin(tokenizer).heldOut(perTask, SEED), template);
    }

    private static int positive(int perTask) {
        if (perTask < 1) {
            throw new IllegalArgumentException("perTask must be at least 1, got " + perTask);
        }
        return perTask;
    }

    /** One row per model and task (plus "overall"), from {@code instructionAccuracy} results keyed by model name. */
    public static Table table(Map<String, InstructionTasks.Accuracy> byModel) {
        StringColumn model = StringColumn.create("model"), task = StringColumn.create("task");
        DoubleColumn acc = DoubleColumn.create("exact_match");
        byModel.forEach((name, a) -> {
            a.perTask().forEach((t, v) -> {
                model.append(name);
                task.append(t);
                acc.append(v);
            });
            model.append(name);
            task.append("overall");
            acc.append(a.overall());
        });
        return Tables.rounded(Table.create("instruction accuracy", model, task, acc));
    }

    /**
     * Embedding resettability (paper §5.2, Appendix D): a Bolmo receives only the task vector of the transformer
     * layers, while its local encoder and decoder stay in the base model's embedding spaces. So the merge can only work
     * if the instruct model still works with the base's input and output embeddings put back. This scores base,
     * instruct, and instruct with the base's embeddings and LM head on the same held-out prompts.
     */
    public static Resettability embeddingResettability(Olmo instruct, Olmo base, int perTask) {
        Report report = report(perTask).add("base", base).add("instruct", instruct);
        try (Olmo reset = Olmo.load(instruct.directory())) {
            var target = reset.model().params().asMap();
            var source = base.model().params().asMap();
            int swapped = 0;
            for (var e : target.entrySet()) {
                String name = e.getKey();
                if (ParameterLayout.carriesTaskVector(name)) {
                    continue; // what a task-vector merge carries over
                }
                var b = source.get(name);
                if (b == null || !b.getShape().equals(e.getValue().getShape())) {
                    throw new IllegalArgumentException("base and instruct differ in " + name + ": not the same architecture");
                }
                e.getValue().set(b.toFloatArray());
                swapped++;
            }
            if (swapped == 0) {
                throw new IllegalArgumentException("no embedding tensors to reset in " + instruct);
            }
            report.add(RESET, reset);
        }
        return new Resettability(report.table());
    }

    /** {@link #embeddingResettability(Olmo, Olmo, int)} with 10 prompts per task. */
    public static Resettability embeddingResettability(Olmo instruct, Olmo base) {
        return embeddingResettability(instruct, base, 10);
    }

    /**
     * The resettability scores: rows base, instruct, instruct with base embeddings.
     *
     * @param table exact match and answer bits per byte per row
     */
    public record Resettability(Table table) implements Tabular {
        /** Share of the instruct model's answer-bits/byte gain over the base that survives the reset (1 = all). */
        public double retainedGain() {
            double base = bits("base"), instruct = bits("instruct"), reset = bits(RESET);
            return (base - reset) / (base - instruct);
        }

        private double bits(String model) {
            return Tables.value(table, "model", model, "answer_bits_per_byte");
        }

        /** Whether a task-vector merge into a Bolmo can be expected to carry most of the gain (at least half retained). */
        public boolean mergeExpectedToWork() {
            return retainedGain() >= 0.5;
        }

        @Override
        public String toString() {
            return table.print() + String.format(Locale.ROOT, "%nretained gain %.0f %%: the merge is %sexpected to work",
                    100 * retainedGain(), mergeExpectedToWork() ? "" : "not ");
        }
    }

    /**
     * Where a merged Bolmo's share of the instruct gain is lost. Answer bits per byte on the held-out prompts, all
     * with the teacher's tokens as patches: the two teachers; the Bolmo's local decoder fed the base and the instruct
     * teacher's final hidden states (Stage 1's oracle patch representations); and the merged Bolmo's own local encoder
     * and global model. If "own states" is close to "instruct teacher's states", the encoder and the merged global
     * model carry the task vector fully and what is missing is the decoder's stand-in for the LM head.
     *
     * @param merged a Bolmo with the task vector of {@code instruct} − {@code base} merged in
     */
    public static MergeBreakdown mergeBreakdown(Bolmo merged, Olmo instruct, Olmo base, int perTask) {
        List<InstructionTasks.Example> ex = InstructionTasks.builtin(base.tokenizer()).heldOut(positive(perTask), SEED);
        OracleStates oracle = new OracleStates(merged.model(), merged.tokenizer());
        double[] decoder = new double[3]; // fed the base's states, the instruct teacher's, its own
        OlmoModel[] feeds = {base.model(), instruct.model(), null};
        for (int k = 0; k < feeds.length; k++) {
            double[] acc = new double[2];
            for (InstructionTasks.Example e : ex) {
                oracle.score(feeds[k], e.prompt(), e.answer() + "\n", acc);
            }
            decoder[k] = acc[0] / acc[1];
        }
        return new MergeBreakdown(InstructionTasks.answerBitsPerByte(base::bitsPerByte, ex),
                InstructionTasks.answerBitsPerByte(instruct::bitsPerByte, ex), decoder[0], decoder[1], decoder[2]);
    }

    /**
     * Answer bits per byte on the held-out prompts, with the teacher's tokens as patches (see {@link #mergeBreakdown}).
     *
     * @param decoderOnBaseStates the Bolmo's local decoder fed the base teacher's final states
     * @param decoderOnInstructStates fed the instruct teacher's final states
     * @param ownStates the merged Bolmo with its own encoder and global model
     */
    public record MergeBreakdown(double baseTeacher, double instructTeacher, double decoderOnBaseStates,
                                 double decoderOnInstructStates, double ownStates) implements Tabular {
        /** Share of the teacher's gain the merged Bolmo's own states carry, counted from the decoder on base states. */
        public double ownStatesShare() {
            return (decoderOnBaseStates - ownStates) / teacherGain();
        }

        /** Share of the teacher's gain the decoder shows when fed the instruct teacher's exact states. */
        public double instructStatesShare() {
            return (decoderOnBaseStates - decoderOnInstructStates) / teacherGain();
        }

        private double teacherGain() {
            return baseTeacher - instructTeacher;
        }

        @Override
        public Table table() {
            StringColumn model = StringColumn.create("model", "base teacher", "instruct teacher",
                    "Bolmo decoder <- base teacher's states", "Bolmo decoder <- instruct teacher's states", "merged Bolmo, own states");
            DoubleColumn answer = DoubleColumn.create("answer_bits_per_byte", baseTeacher, instructTeacher, decoderOnBaseStates,
                    decoderOnInstructStates, ownStates);
            DoubleColumn share = DoubleColumn.create("share_of_teacher_gain", 0, 1, 0, instructStatesShare(), ownStatesShare());
            return Tables.rounded(Table.create("merge breakdown", model, answer, share));
        }

        @Override
        public String toString() {
            return table().print();
        }
    }

    /** {@link #mergeBreakdown(Bolmo, Olmo, Olmo, int)} with 10 prompts per task. */
    public static MergeBreakdown mergeBreakdown(Bolmo merged, Olmo instruct, Olmo base) {
        return mergeBreakdown(merged, instruct, base, 10);
    }

    /**
     * CUTE per-task scores (paper Appendix C) for several models on the same examples, {@code perTask} of each task:
     * exact match by greedy generation, and the likelihood scores that still give signal on small models.
     * Uses the CUTE test set shipped in {@code datasets/cute}, or the folder named by {@code -Dbolmo4j.cute} /
     * {@code BOLMO4J_CUTE}.
     */
    public static CuteReport cute(int perTask) {
        return new CuteReport(perTask);
    }

    /** Rows of CUTE scores, one per model and task. */
    public static final class CuteReport {
        private final CuteEval eval;
        private final StringColumn model = StringColumn.create("model"), task = StringColumn.create("task");
        private final IntColumn examples = IntColumn.create("examples");
        private final DoubleColumn exact = DoubleColumn.create("exact_match"),
                forced = DoubleColumn.create("teacher_forced_accuracy"),
                bits = DoubleColumn.create("answer_bits_per_byte"), choice = DoubleColumn.create("choice_accuracy");

        private CuteReport(int perTask) {
            eval = CuteEval.locate().limit(positive(perTask));
        }

        /** Adds a subword model. */
        public CuteReport add(String name, Olmo olmo) {
            return rows(name, eval.evaluate(olmo.loaded()));
        }

        /** Adds a Bolmo. */
        public CuteReport add(String name, Bolmo bolmo) {
            return rows(name, eval.evaluate(bolmo.scoring()));
        }

        private CuteReport rows(String name, List<CuteTaskResult> results) {
            for (CuteTaskResult r : results) {
                model.append(name);
                task.append(r.task());
                examples.append(r.examples());
                exact.append(r.exactMatch());
                forced.append(r.teacherForcedAccuracy());
                bits.append(r.bitsPerByte());
                choice.append(r.choiceAccuracy());
            }
            return this;
        }

        /** The rows so far (choice accuracy is missing for tasks that are not two-way). */
        public Table table() {
            return Tables.rounded(Table.create("CUTE", model.copy(), task.copy(), examples.copy(), exact.copy(), forced.copy(), bits.copy(),
                    choice.copy()));
        }

        @Override
        public String toString() {
            return table().print();
        }
    }

    /** A report comparing models on the same held-out instruction prompts, {@code perTask} of each task. */
    public static Report report(int perTask) {
        return new Report(perTask);
    }

    /** Rows of exact match and answer bits per byte, one per model added. */
    public static final class Report {
        private final int perTask;
        private final StringColumn model = StringColumn.create("model");
        private final DoubleColumn exact = DoubleColumn.create("exact_match");
        private final DoubleColumn answerBits = DoubleColumn.create("answer_bits_per_byte");

        private Report(int perTask) {
            this.perTask = positive(perTask);
        }

        /** Adds a subword model. */
        public Report add(String name, Olmo olmo) {
            return row(name, olmo.tokenizer(), olmo.instructionAccuracy(perTask), olmo::bitsPerByte);
        }

        /** Adds a Bolmo. */
        public Report add(String name, Bolmo bolmo) {
            return row(name, bolmo.tokenizer(), bolmo.instructionAccuracy(perTask), bolmo::bitsPerByte);
        }

        private Report row(String name, BpeTokenizer tokenizer, InstructionTasks.Accuracy accuracy,
                           ToDoubleFunction<String> bitsPerByte) {
            model.append(name);
            exact.append(accuracy.overall());
            answerBits.append(InstructionTasks.answerBitsPerByte(bitsPerByte, InstructionTasks.builtin(tokenizer).heldOut(perTask, SEED)));
            return this;
        }

        /** The rows so far, as text (what a notebook shows after each {@code add}). */
        @Override
        public String toString() {
            return table().print();
        }

        /** The rows so far. */
        public Table table() {
            return Tables.rounded(Table.create("instruction tasks", model.copy(), exact.copy(), answerBits.copy()));
        }
    }
}
