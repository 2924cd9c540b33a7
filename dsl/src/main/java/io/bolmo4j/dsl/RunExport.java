package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.export.BolmoCoreExport;
import io.bolmo4j.export.BolmoCoreRecipe;
import io.bolmo4j.export.ExportedRun;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How {@link Bolmo#exportRun} hands a stage to bolmo-core: which stage, its settings (the same {@link StageOptions} as
 * {@link Bolmo#stage1} / {@link Bolmo#stage2}), the training data and the run's settings by name ({@link #set}).
 * Defaults: Stage 1, one node of 8 GPUs, all of a GPU's share of the batch in one forward pass, a checkpoint every 1000
 * steps.
 */
public final class RunExport {
    private String engine = "bolmo-core";
    private int stage = 1;
    private Consumer<StageOptions> stageOptions = s -> {};
    private Consumer<Architecture> architecture;
    private final List<Path> data = new ArrayList<>();
    private BolmoCoreExport.Layout layout = BolmoCoreExport.Layout.defaults();

    private RunExport() {}

    /** The export {@code options} describe. */
    static RunExport of(Consumer<RunExport> options) {
        RunExport r = new RunExport();
        options.accept(r);
        return r;
    }

    /** The trainer to hand the run to; only {@code bolmo-core} (default) exists. */
    public RunExport engine(String name) {
        if (!"bolmo-core".equals(name)) {
            throw new IllegalArgumentException("engine must be bolmo-core, got '" + name + "'");
        }
        engine = name;
        return this;
    }

    /** 1 (subword-to-byte distillation, default) or 2 (end to end). */
    public RunExport stage(int s) {
        if (s != 1 && s != 2) {
            throw new IllegalArgumentException("stage must be 1 or 2, got " + s);
        }
        stage = s;
        return this;
    }

    /** The stage's settings, e.g. {@code s -> s.steps(75_000).set("batch", 32).set("bytesPerExample", 18_000).set("lr", 7e-4)}. */
    public RunExport options(Consumer<StageOptions> o) {
        stageOptions = o;
        return this;
    }

    /** The local architecture, when exporting from a teacher ({@link Bolmo#exportRun(Olmo, Path, Consumer)}). */
    public RunExport architecture(Consumer<Architecture> a) {
        architecture = a;
        return this;
    }

    /** Training text: files or directories of plain text or Dolma JSONL(.gz); call again to add more. */
    public RunExport data(Path... sources) {
        data.addAll(List.of(sources));
        return this;
    }

    /** {@link #data(Path...)} from path strings. */
    public RunExport data(String... sources) {
        for (String s : sources) {
            data.add(Path.of(s));
        }
        return this;
    }

    /**
     * One of the run's settings ({@link BolmoCoreExport.Layout}) by name: {@code nodes} (machines, default 1),
     * {@code gpusPerNode} (8), {@code microBatch} (instances per GPU per forward pass; 0, the default, is a GPU's whole
     * share of the batch), {@code checkpointEvery} (steps between bolmo-core's checkpoints, 1000) or
     * {@code tokensPerFile} (token ids per array file, 2^30), e.g. {@code r.set("nodes", 4).set("gpusPerNode", 8)}.
     */
    public RunExport set(String setting, Object value) {
        layout = layout.with(setting, value);
        return this;
    }

    /** Where each bolmo4j setting went in bolmo-core's configuration; {@code bolmo_core} is empty for those with no equivalent. */
    public static Table settings(ExportedRun run) {
        StringColumn field = StringColumn.create("bolmo4j"), value = StringColumn.create("value"),
                target = StringColumn.create("bolmo_core"), note = StringColumn.create("note");
        for (BolmoCoreRecipe.Mapping m : run.recipe().mappings()) {
            field.append(m.field());
            value.append(m.value());
            target.append(m.target() == null ? "" : m.target());
            note.append(m.note());
        }
        return Table.create("stage " + run.stage() + " on bolmo-core", field, value, target, note);
    }

    ExportedRun write(Path teacher, BolmoConfig bolmo, Path out) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no training data: call data(...) with files or directories");
        }
        StageOptions o = new StageOptions(stage);
        stageOptions.accept(o);
        BolmoCoreExport.Layout at = layout.at(data, out);
        return stage == 1 ? BolmoCoreExport.stage1(teacher, bolmo, o.stage1(), at)
                : BolmoCoreExport.stage2(teacher, bolmo, o.stage2(), at);
    }

    Consumer<Architecture> architecture() {
        return architecture;
    }

    @Override
    public String toString() {
        return engine + " stage " + stage + " on " + layout.cluster().nodes() + " × " + layout.cluster().gpusPerNode()
                + " GPUs, data " + data;
    }
}
