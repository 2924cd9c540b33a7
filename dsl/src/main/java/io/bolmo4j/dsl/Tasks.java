package io.bolmo4j.dsl;

import io.bolmo4j.data.InstructionTasks;
import tech.tablesaw.api.DoubleColumn;
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
        return Table.create("instruction accuracy", model, task, acc);
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
            return Table.create("instruction tasks", model.copy(), exact.copy(), answerBits.copy());
        }
    }
}
