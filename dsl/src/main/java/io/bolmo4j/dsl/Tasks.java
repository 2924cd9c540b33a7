package io.bolmo4j.dsl;

import io.bolmo4j.data.InstructionTasks;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

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
}
