package io.bolmo4j.dsl;

import io.bolmo4j.data.CuteEval;
import io.bolmo4j.data.CuteTaskResult;
import io.bolmo4j.data.InstructionTasks;
import io.bolmo4j.io.ParameterLayout;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Map;

/** Task-accuracy tables for comparing models (teacher, instruct teacher, Bolmo before and after a merge). */
public final class Tasks {
    /** Seed of the held-out instruction prompts: every model is asked the same questions. */
    static final long SEED = 99;

    private Tasks() {}

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
            report.add("instruct, base embeddings", reset);
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
    public record Resettability(Table table) {
        /** Share of the instruct model's answer-bits/byte gain over the base that survives the reset (1 = all). */
        public double retainedGain() {
            DoubleColumn bits = table.doubleColumn("answer_bits_per_byte");
            return (bits.get(0) - bits.get(2)) / (bits.get(0) - bits.get(1));
        }

        /** Whether a task-vector merge into a Bolmo can be expected to carry most of the gain (at least half retained). */
        public boolean mergeExpectedToWork() {
            return retainedGain() >= 0.5;
        }

        @Override
        public String toString() {
            return table.print() + String.format(java.util.Locale.ROOT, "%nretained gain %.0f %%: the merge is %sexpected to work",
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
    public static Table mergeBreakdown(Bolmo merged, Olmo instruct, Olmo base, int perTask) {
        if (perTask < 1) {
            throw new IllegalArgumentException("perTask must be at least 1, got " + perTask);
        }
        List<InstructionTasks.Example> ex = InstructionTasks.builtin(base.tokenizer()).heldOut(perTask, SEED);
        var oracle = new io.bolmo4j.bolmo.OracleStates(merged.model(), merged.tokenizer());
        String[] names = {"base teacher", "instruct teacher", "Bolmo decoder <- base teacher's states",
                "Bolmo decoder <- instruct teacher's states", "merged Bolmo, own states"};
        double[] bits = new double[names.length];
        bits[0] = InstructionTasks.answerBitsPerByte(base::bitsPerByte, ex);
        bits[1] = InstructionTasks.answerBitsPerByte(instruct::bitsPerByte, ex);
        io.bolmo4j.olmo.OlmoModel[] feeds = {base.model(), instruct.model(), null};
        for (int k = 0; k < feeds.length; k++) {
            double[] acc = new double[2];
            for (InstructionTasks.Example e : ex) {
                oracle.score(feeds[k], e.prompt(), e.answer() + "\n", acc);
            }
            bits[2 + k] = acc[0] / acc[1];
        }
        StringColumn model = StringColumn.create("model", names);
        DoubleColumn answer = DoubleColumn.create("answer_bits_per_byte", bits);
        DoubleColumn share = DoubleColumn.create("share_of_teacher_gain");
        double gain = bits[0] - bits[1];
        for (int i = 0; i < names.length; i++) {
            share.append((bits[i < 2 ? 0 : 2] - bits[i]) / gain); // Bolmo rows count from the decoder on base states
        }
        return Tables.rounded(Table.create("merge breakdown", model, answer, share));
    }

    /** {@link #mergeBreakdown(Bolmo, Olmo, Olmo, int)} with 10 prompts per task. */
    public static Table mergeBreakdown(Bolmo merged, Olmo instruct, Olmo base) {
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
            if (perTask < 1) {
                throw new IllegalArgumentException("perTask must be at least 1, got " + perTask);
            }
            eval = CuteEval.locate().limit(perTask);
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
            if (perTask < 1) {
                throw new IllegalArgumentException("perTask must be at least 1, got " + perTask);
            }
            this.perTask = perTask;
        }

        /** Adds a subword model. */
        public Report add(String name, Olmo olmo) {
            List<InstructionTasks.Example> ex = InstructionTasks.builtin(olmo.tokenizer()).heldOut(perTask, SEED);
            return row(name, olmo.instructionAccuracy(perTask).overall(), InstructionTasks.answerBitsPerByte(olmo::bitsPerByte, ex));
        }

        /** Adds a Bolmo. */
        public Report add(String name, Bolmo bolmo) {
            List<InstructionTasks.Example> ex = InstructionTasks.builtin(bolmo.tokenizer()).heldOut(perTask, SEED);
            return row(name, bolmo.instructionAccuracy(perTask).overall(), InstructionTasks.answerBitsPerByte(bolmo::bitsPerByte, ex));
        }

        private Report row(String name, double em, double bits) {
            model.append(name);
            exact.append(em);
            answerBits.append(bits);
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
