package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.BolmoCheckpoint;
import io.bolmo4j.bolmo.BolmoEval;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.Stage1;
import io.bolmo4j.bolmo.Stage2;
import io.bolmo4j.bolmo.StageTrainer;
import io.bolmo4j.bolmo.TaskVector;
import io.bolmo4j.bolmo.TaskVectorMerge;
import io.bolmo4j.data.BuiltinCorpus;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A byte-level Bolmo model, built by byteifying a subword {@link Olmo} and trained in two stages (paper §3.2):
 * <pre>{@code
 * var bolmo = Bolmo.byteify(Olmo.tiny())
 *         .stage1(s -> s.steps(300))
 *         .stage2(s -> s.steps(300).targetBytesPerPatch(6))
 *         .mergeTaskVector(Olmo.tinyInstruct());
 * bolmo.history();   // a Tablesaw table of every logged step
 * }</pre>
 */
public final class Bolmo implements AutoCloseable {
    private final BolmoModel model;
    private final Olmo teacher;
    private final io.bolmo4j.tokenizer.BpeTokenizer tokenizer;
    private final String tokenizerJson;
    private final LoadedBolmo loaded;
    private final List<Row> history = new ArrayList<>();

    private record Row(String stage, StageTrainer.Step step) {}

    private Bolmo(BolmoModel model, Olmo teacher, io.bolmo4j.tokenizer.BpeTokenizer tok, String tokenizerJson) {
        this.model = model;
        this.teacher = teacher;
        this.tokenizer = tok;
        this.tokenizerJson = tokenizerJson;
        this.loaded = new LoadedBolmo(model, tok);
    }

    /** Initialises a Bolmo from {@code teacher} (its layers become the global model); train it with {@link #stage1}. */
    public static Bolmo byteify(Olmo teacher) {
        return new Bolmo(Byteify.fromTeacher(teacher.model(), teacher.tokenizer().vocabSize(), 0), teacher,
                teacher.tokenizer(), teacher.tokenizerJson());
    }

    /** As {@link #byteify(Olmo)} with a different local architecture, e.g. {@code a -> a.decoderLayers(2)}. */
    public static Bolmo byteify(Olmo teacher, Consumer<Architecture> architecture) {
        Architecture a = new Architecture();
        architecture.accept(a);
        return new Bolmo(Byteify.fromTeacher(teacher.model(), teacher.tokenizer().vocabSize(), 0, a::apply), teacher,
                teacher.tokenizer(), teacher.tokenizerJson());
    }

    /**
     * A Stage 1 architecture check in one call: byteifies {@code teacher} once per variant, runs the same short
     * Stage 1, and reports held-out boundary accuracy, bits per byte with predicted and with the subword tokenizer's
     * boundaries (paper Table 3's "oracle" column: the gap between the two is what boundary errors cost), bytes per
     * patch, the final encoder loss (how closely the encoder matches the teacher's layer-n states) and training speed.
     */
    public static Table compareArchitectures(Olmo teacher, Consumer<StageOptions> stage1,
                                             java.util.Map<String, Consumer<Architecture>> variants, int evalBytes) {
        StringColumn name = StringColumn.create("variant");
        IntColumn params = IntColumn.create("local_parameters");
        DoubleColumn acc = DoubleColumn.create("boundary_accuracy"), bpb = DoubleColumn.create("bits_per_byte"),
                oracle = DoubleColumn.create("bits_per_byte_subword_boundaries"),
                bpp = DoubleColumn.create("bytes_per_patch"), enc = DoubleColumn.create("encoder_loss"),
                speed = DoubleColumn.create("train_bytes_per_s");
        variants.forEach((label, arch) -> {
            try (Bolmo b = byteify(teacher, arch).stage1(stage1)) {
                Table e = b.evaluate(evalBytes);
                Table h = b.history();
                long local = b.model().config().parameterCount() - teacherLayers(b.model().config());
                name.append(label);
                params.append((int) local);
                acc.append(e.doubleColumn("value").get(0));
                bpp.append(e.doubleColumn("value").get(3));
                bpb.append(e.doubleColumn("value").get(5));
                oracle.append(e.doubleColumn("value").get(6));
                enc.append(h.doubleColumn("encoder").get(h.rowCount() - 1));
                speed.append(h.doubleColumn("bytes_per_s").mean());
            }
        });
        return Table.create("architecture check", name, params, acc, bpb, oracle, bpp, enc, speed);
    }

    private static long teacherLayers(io.bolmo4j.bolmo.BolmoConfig c) {
        return io.bolmo4j.olmo.TransformerStack.shapes(c.global).values().stream()
                .mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (x, y) -> x * y)).sum();
    }

    /** Loads a Bolmo directory (Hugging Face layout). */
    public static Bolmo load(Path dir) {
        try {
            return new Bolmo(BolmoCheckpoint.load(dir), null, BolmoCheckpoint.subwordTokenizer(dir),
                    java.nio.file.Files.readString(dir.resolve("tokenizer.json")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + dir.resolve("tokenizer.json"), e);
        }
    }

    /** Stage 1: subword-to-byte distillation with the global model frozen (needs the teacher: use {@link #byteify}). */
    public Bolmo stage1(Consumer<StageOptions> options) {
        if (teacher == null) {
            throw new IllegalStateException("Stage 1 distils from the teacher; this Bolmo was loaded from disk, not byteified");
        }
        StageOptions o = new StageOptions();
        options.accept(o);
        new Stage1(model, teacher.model(), teacher.tokenizer()).run(o.trainingTexts(), o.stage1(), s -> history.add(new Row("stage1", s)));
        return this;
    }

    /** Stage 2: end-to-end training, optionally at a higher bytes-per-patch target. */
    public Bolmo stage2(Consumer<StageOptions> options) {
        StageOptions o = new StageOptions();
        options.accept(o);
        new Stage2(model, tokenizer(), teacher == null ? null : teacher.model()).run(o.trainingTexts(), o.stage2(),
                s -> history.add(new Row("stage2", s)));
        return this;
    }

    /** Task arithmetic with the teacher as base: {@code θ_global += (θ_instruct − θ_teacher)}. */
    public Bolmo mergeTaskVector(Olmo instruct) {
        if (teacher == null) {
            throw new IllegalStateException("no base model known: use mergeTaskVector(instruct, base, alpha)");
        }
        return mergeTaskVector(instruct, teacher, 1.0);
    }

    /** Task arithmetic: {@code θ += α (θ_instruct − θ_base)} on the tensors of spec §8. */
    public Bolmo mergeTaskVector(Olmo instruct, Olmo base, double alpha) {
        TaskVector.merge(model, instruct.model(), base.model(), alpha);
        return this;
    }

    /**
     * Task arithmetic on checkpoint directories, out of core (for models too large to hold three times): streams
     * {@code θ_bolmo + (θ_instruct − θ_base)} tensor by tensor in the Bolmo's dtype into the new directory {@code out},
     * with the same tensors and fp32 arithmetic as {@link #mergeTaskVector(Olmo, Olmo, double)} (equal bit for bit once
     * saved in that dtype), after checking that {@code base} is the model the Bolmo was byteified from.
     */
    public static TaskVectorMerge.Result mergeTaskVector(Path bolmo, Path instruct, Path base, Path out) {
        return mergeTaskVector(bolmo, instruct, base, out, o -> o);
    }

    /** As {@link #mergeTaskVector(Path, Path, Path, Path)} with options, e.g. {@code o -> o.withAlpha(0.5)}. */
    public static TaskVectorMerge.Result mergeTaskVector(Path bolmo, Path instruct, Path base, Path out,
                                                         UnaryOperator<TaskVectorMerge.Options> options) {
        return TaskVectorMerge.merge(bolmo, instruct, base, out, options.apply(TaskVectorMerge.Options.defaults()));
    }

    /** What {@link #mergeTaskVector(Path, Path, Path, Path)} would change, from the checkpoints' headers. */
    public static TaskVectorMerge.Plan planTaskVector(Path bolmo, Path instruct, Path base) {
        return TaskVectorMerge.plan(bolmo, instruct, base);
    }

    /** Writes the model in the Hugging Face Bolmo layout, with the teacher's tokenizer. */
    public Bolmo save(Path dir) {
        BolmoCheckpoint.save(model, dir, false, tokenizerJson);
        return this;
    }

    /** Greedy continuation of up to 100 bytes. */
    public String generate(String prompt) {
        return generate(prompt, o -> { });
    }

    /** Continuation with options (lengths count bytes). */
    public String generate(String prompt, Consumer<Olmo.Generation> options) {
        Olmo.Generation g = new Olmo.Generation();
        options.accept(g);
        return loaded.generate(prompt, g.toOptions(), s -> { });
    }

    /** Exact match on the held-out instruction prompts, as {@link Olmo#instructionAccuracy} (greedy, by bytes). */
    public io.bolmo4j.data.InstructionTasks.Accuracy instructionAccuracy(int perTask) {
        return io.bolmo4j.data.InstructionTasks.exactMatch((p, n) -> generate(p, o -> o.maxNew(n)),
                io.bolmo4j.data.InstructionTasks.builtin(tokenizer).heldOut(perTask, Tasks.SEED));
    }

    /** Bits per UTF-8 byte with boundary folding. */
    public double bitsPerByte(String text) {
        return loaded.score(text).bitsPerByte();
    }

    /** Held-out report on about {@code bytes} of the built-in validation split, next to the teacher when known. */
    public Table evaluate(int bytes) {
        List<String> texts = BuiltinCorpus.validation().head(bytes);
        BolmoEval.Result r = BolmoEval.evaluate(model, teacher == null ? null : teacher.model(), tokenizer(), texts, 512);
        Table t = Table.create("evaluation");
        t.addColumns(StringColumn.create("metric", "boundary accuracy", "boundary precision", "boundary recall",
                        "bytes per patch", "subword bytes per patch", "bits per byte (bolmo)", "bits per byte (bolmo, subword boundaries)",
                        "bits per byte (teacher)"),
                DoubleColumn.create("value", r.boundaryAccuracy(), r.boundaryPrecision(), r.boundaryRecall(), r.bytesPerPatch(),
                        r.subwordBytesPerPatch(), r.bolmoBitsPerByte(), r.subwordBoundaryBitsPerByte(), r.teacherBitsPerByte()));
        return t;
    }

    /**
     * Where this Bolmo's boundary predictor cuts {@code text} next to the teacher tokenizer's tokens (a newline is
     * appended so the last byte has its lookahead, as in scoring). Renders as HTML in a notebook.
     */
    public BoundaryView boundaries(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            throw new IllegalArgumentException("text is empty");
        }
        boolean[] all = loaded.logits(text + "\n").boundaries(); // position 0 is BOS
        boolean[] predicted = java.util.Arrays.copyOfRange(all, 1, bytes.length + 1);
        return new BoundaryView(bytes, predicted, tokenizer.encode(text).tokenEnds());
    }

    /** The CUTE evaluator's view of this model. */
    io.bolmo4j.data.ScoringModel scoring() {
        return loaded;
    }

    /** Every logged training step so far: stage, step, lr, loss and its parts, bytes/s. */
    public Table history() {
        Table t = Table.create("history");
        StringColumn stage = StringColumn.create("stage");
        IntColumn step = IntColumn.create("step");
        DoubleColumn lr = DoubleColumn.create("lr"), loss = DoubleColumn.create("loss"), rate = DoubleColumn.create("bytes_per_s");
        java.util.Map<String, DoubleColumn> parts = new java.util.LinkedHashMap<>();
        for (Row r : history) {
            r.step().parts().keySet().forEach(k -> parts.computeIfAbsent(k, DoubleColumn::create));
        }
        parts.remove("loss");
        for (Row r : history) {
            stage.append(r.stage());
            step.append(r.step().step());
            lr.append(r.step().lr());
            loss.append(r.step().loss());
            rate.append(r.step().bytesPerSecond());
            parts.forEach((k, c) -> {
                Double v = r.step().parts().get(k);
                if (v == null) {
                    c.appendMissing();
                } else {
                    c.append(v);
                }
            });
        }
        t.addColumns(stage, step, lr, loss);
        parts.values().forEach(t::addColumns);
        t.addColumns(rate);
        return t;
    }

    public BolmoModel model() {
        return model;
    }

    io.bolmo4j.tokenizer.BpeTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String toString() {
        return "Bolmo(" + model.config() + ")";
    }

    /** Frees the model (not the teacher, which the caller owns). */
    @Override
    public void close() {
        model.close();
    }
}
