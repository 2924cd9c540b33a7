package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.BolmoTokenization;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.checkpoint.TeacherTokenizer;
import io.bolmo4j.bolmo.eval.BolmoEval;
import io.bolmo4j.bolmo.merge.TaskVector;
import io.bolmo4j.bolmo.merge.TaskVectorMerge;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.InstructionTasks;
import io.bolmo4j.data.ScoringModel;
import io.bolmo4j.export.BolmoCoreExport;
import io.bolmo4j.export.BolmoCoreImport;
import io.bolmo4j.export.ExportedRun;
import io.bolmo4j.hub.ModelPaths;
import io.bolmo4j.olmo.TransformerStack;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.Trainer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A byte-level Bolmo model, built by byteifying a subword {@link Olmo} and trained in two stages (paper §3.2):
 * <pre>{@code
 * var bolmo = Bolmo.byteify(Olmo.tiny())
 *         .stage1(s -> s.steps(300))
 *         .stage2(s -> s.steps(300).set("targetBytesPerPatch", 6))
 *         .mergeTaskVector(Olmo.tinyInstruct());
 * bolmo.history();   // a Tablesaw table of every logged step
 * }</pre>
 */
public final class Bolmo implements AutoCloseable {
    private LoadedBolmo loaded;
    private Olmo teacher;
    private final List<Row> history = new ArrayList<>();
    /** What this Bolmo was made from, as training checkpoints name it ({@link StageTrainer#startsFrom}). */
    private final String origin;

    private record Row(String stage, Trainer.Step step) {}

    private Bolmo(LoadedBolmo loaded, Olmo teacher, String origin) {
        this.loaded = loaded;
        this.teacher = teacher;
        this.origin = origin;
    }

    /** Initialises a Bolmo from {@code teacher} (its layers become the global model); train it with {@link #stage1}. */
    public static Bolmo byteify(Olmo teacher) {
        return byteify(teacher, 0, c -> c);
    }

    /** As {@link #byteify(Olmo)} with a different local architecture, e.g. {@code a -> a.decoderLayers(2)}. */
    public static Bolmo byteify(Olmo teacher, Consumer<Architecture> architecture) {
        Architecture a = Architecture.of(architecture);
        return byteify(teacher, a.seed(), a::apply);
    }

    private static Bolmo byteify(Olmo teacher, long seed, UnaryOperator<BolmoConfig> architecture) {
        BolmoModel model = Byteify.fromTeacher(teacher.model(), teacher.tokenizer().vocabSize(), seed, architecture);
        return new Bolmo(new LoadedBolmo(model, teacher.tokenizer(), teacher.loaded().chatTemplate().orElse(null),
                TeacherTokenizer.of(teacher.directory())), teacher, "the Bolmo byteified from teacher " + teacher.directory());
    }

    /**
     * A Stage 1 architecture check in one call: byteifies {@code teacher} once per variant, runs the same short
     * Stage 1, and reports held-out boundary accuracy, bits per byte with predicted and with the subword tokenizer's
     * boundaries (paper Table 3's "oracle" column: the gap between the two is what boundary errors cost), bytes per
     * patch, the final encoder loss (how closely the encoder matches the teacher's layer-n states) and training speed.
     */
    public static ArchitectureCheck compareArchitectures(Olmo teacher, Consumer<StageOptions> stage1,
                                                         Map<String, Consumer<Architecture>> variants, int evalBytes) {
        BolmoEval.requireHeldOut("evalBytes", evalBytes); // reported after training each variant: refuse before
        List<ArchitectureCheck.Variant> rows = new ArrayList<>();
        variants.forEach((label, arch) -> {
            try (Bolmo b = byteify(teacher, arch).stage1(stage1)) {
                List<Trainer.Step> steps = b.history.stream().map(Row::step).toList();
                rows.add(new ArchitectureCheck.Variant(label,
                        b.model().config().parameterCount() - teacherLayers(b.model().config()), b.evaluation(evalBytes),
                        steps.get(steps.size() - 1).parts().get("encoder"),
                        steps.stream().mapToDouble(Trainer.Step::perSecond).average().orElse(Double.NaN)));
            }
        });
        return new ArchitectureCheck(rows);
    }

    private static long teacherLayers(BolmoConfig c) {
        return TransformerStack.shapes(c.global).values().stream()
                .mapToLong(s -> Arrays.stream(s).reduce(1, (x, y) -> x * y)).sum();
    }

    /**
     * Hands a stage of byteifying {@code teacher} to bolmo-core, Ai2's multi-GPU trainer of the released Bolmo models:
     * writes the run directory {@code out} with the training data pre-tokenized in OLMo-core's numpy format, the recipe
     * in bolmo-core's configuration names, a torchrun launch script and a README of the steps from there to
     * {@link #importRun}, e.g. {@code Bolmo.exportRun(olmo, Path.of("runs/s1"), r -> r.data("corpus/").set("nodes", 4)
     * .options(s -> s.steps(75_000).set("lr", 7e-4)).architecture(a -> a.decoderLayers(2)))}.
     */
    public static ExportedRun exportRun(Olmo teacher, Path out, Consumer<RunExport> options) {
        return exportRun(teacher.directory(), out, options);
    }

    /** {@link #exportRun(Olmo, Path, Consumer)} from the teacher's directory, without loading its weights. */
    public static ExportedRun exportRun(Path teacher, Path out, Consumer<RunExport> options) {
        RunExport r = RunExport.of(options);
        BolmoConfig cfg = BolmoCoreExport.bolmoConfig(teacher);
        return r.write(teacher, r.architecture() == null ? cfg : Architecture.of(r.architecture()).apply(cfg), out);
    }

    /** {@link #exportRun(Olmo, Path, Consumer)} with this Bolmo's local architecture (it needs its teacher attached). */
    public ExportedRun exportRun(Path out, Consumer<RunExport> options) {
        if (teacher == null) {
            throw new IllegalStateException("exportRun tokenizes the data with the teacher's directory: attach it with teacher(olmo)");
        }
        RunExport r = RunExport.of(options);
        if (r.architecture() != null) {
            throw new IllegalArgumentException("this Bolmo's architecture is exported; architecture(...) belongs to Bolmo.exportRun(teacher, ...)");
        }
        return r.write(teacher.directory(), model().config(), out);
    }

    /**
     * A checkpoint that bolmo-core trained (unsharded by the run's {@code unshard.sh}, or converted by bolmo-core's
     * {@code convert_checkpoint_to_hf.py}) written to {@code out} in the Hugging Face Bolmo layout and loaded.
     */
    public static Bolmo importRun(Path checkpoint, Path out) {
        BolmoCoreImport.importRun(checkpoint, out, null);
        return load(out);
    }

    /**
     * Loads a Bolmo directory (Hugging Face layout), or a Hub repository {@code ORG/NAME[@REVISION]} (from the Hugging
     * Face cache, else downloaded into it). Its subword vocabulary is its own {@code tokenizer.json}, else the one its
     * config names ({@code tokenizer_config.original_identifier}) in the Hugging Face cache.
     */
    public static Bolmo load(Path dir) {
        return load(dir, null);
    }

    /**
     * Loads a Bolmo directory with {@code tokenizerFile} as its subword vocabulary when the directory has no
     * {@code tokenizer.json} (e.g. allenai/Bolmo-1B as downloaded, with dolma2's tokenizer.json elsewhere).
     */
    public static Bolmo load(Path dir, Path tokenizerFile) {
        return new Bolmo(LoadedBolmo.load(ModelPaths.resolve(dir), tokenizerFile), null, "the Bolmo " + dir);
    }

    /**
     * Attaches the subword model this Bolmo was byteified from (e.g. to one loaded from disk), so that evaluations
     * report the teacher's bits per byte next to the Bolmo's and Stage 1 can continue.
     */
    public Bolmo teacher(Olmo olmo) {
        teacher = olmo;
        return this;
    }

    /** Stage 1: subword-to-byte distillation with the global model frozen (needs the teacher: {@link #byteify}, {@link #teacher}). */
    public Bolmo stage1(Consumer<StageOptions> options) {
        if (teacher == null) {
            throw new IllegalStateException("Stage 1 distils from the teacher; this Bolmo was loaded from disk, not byteified");
        }
        StageOptions o = new StageOptions(1);
        options.accept(o);
        Stage1 trainer = new Stage1(model(), teacher.model(), teacher.tokenizer());
        trainer.startsFrom("teacher " + teacher.directory());
        o.checkpointing(trainer);
        trainer.run(o.trainingTexts(), o.stage1(), o.logging(history("stage1")));
        return this;
    }

    /** Stage 2: end-to-end training, optionally at a higher bytes-per-patch target. */
    public Bolmo stage2(Consumer<StageOptions> options) {
        StageOptions o = new StageOptions(2);
        options.accept(o);
        Stage2 trainer = new Stage2(model(), tokenizer(), teacher == null ? null : teacher.model());
        trainer.startsFrom(origin);
        o.checkpointing(trainer);
        trainer.run(o.trainingTexts(), o.stage2(), o.logging(history("stage2")));
        return this;
    }

    private Consumer<Trainer.Step> history(String stage) {
        return s -> history.add(new Row(stage, s));
    }

    /** Task arithmetic with the teacher as base: {@code θ_global += (θ_instruct − θ_teacher)}. */
    public Bolmo mergeTaskVector(Olmo instruct) {
        if (teacher == null) {
            throw new IllegalStateException("no base model known: use mergeTaskVector(instruct, base, alpha)");
        }
        return mergeTaskVector(instruct, teacher, 1.0);
    }

    /**
     * Task arithmetic: {@code θ += α (θ_instruct − θ_base)} on the tensors of docs/bolmo.md §8. The Bolmo then chats
     * like the instruct model: it takes its chat template, special tokens and stop ids (also into {@link #save}).
     */
    public Bolmo mergeTaskVector(Olmo instruct, Olmo base, double alpha) {
        TaskVector.merge(model(), instruct.model(), base.model(), alpha);
        loaded = loaded.withChatOf(instruct.directory(), instruct.loaded().chatTemplate().orElse(null));
        return this;
    }

    /**
     * The text as this Bolmo sees it: its teacher's subword tokens (ids, strings, UTF-8 byte offsets) and its own
     * 520-id byte ids, without BOS (see {@link #tokenize(String, boolean)}).
     */
    public BolmoTokenization tokenize(String text) {
        return tokenize(text, false);
    }

    /** @param addSpecialTokens whether BOS is added to the byte ids and the subword post-processor's specials too */
    public BolmoTokenization tokenize(String text, boolean addSpecialTokens) {
        return BolmoTokenization.of(tokenizer(), text, addSpecialTokens);
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

    /** As {@link #mergeTaskVector(Path, Path, Path, Path)} with options, e.g. {@code o -> o.with("alpha", 0.5)}. */
    public static TaskVectorMerge.Result mergeTaskVector(Path bolmo, Path instruct, Path base, Path out,
                                                         UnaryOperator<TaskVectorMerge.Options> options) {
        return TaskVectorMerge.merge(bolmo, instruct, base, out, options.apply(TaskVectorMerge.Options.defaults()));
    }

    /**
     * What {@link #mergeTaskVector(Path, Path, Path, Path)} would change, from the checkpoints' headers, after the merge's
     * validation (the base is the Bolmo's source and the instruct model a post-training of it, on a sample of each
     * global tensor).
     */
    public static TaskVectorMerge.Plan planTaskVector(Path bolmo, Path instruct, Path base) {
        return TaskVectorMerge.plan(bolmo, instruct, base);
    }

    /** {@link #planTaskVector(Path, Path, Path)} with the merge's options, validated as the merge validates them. */
    public static TaskVectorMerge.Plan planTaskVector(Path bolmo, Path instruct, Path base,
                                                     UnaryOperator<TaskVectorMerge.Options> options) {
        return TaskVectorMerge.plan(bolmo, instruct, base, options.apply(TaskVectorMerge.Options.defaults()));
    }

    /**
     * Writes the model in the Hugging Face Bolmo layout that transformers loads as a released Bolmo, with the teacher's
     * tokenizer, its BOS and end-of-text tokens, chat template and stop ids (see
     * {@link io.bolmo4j.bolmo.checkpoint.TransformersFiles}); config.json records the teacher's family
     * ({@code teacher_model_type}).
     */
    public Bolmo save(Path dir) {
        loaded.save(dir);
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
        return loaded.generate(prompt, g.options(), s -> { });
    }

    /**
     * The answer to a conversation in the teacher's chat template (rendered to text, then bytes), e.g.
     * {@code bolmo.chat(c -> c.user("Name a whale.").maxNew(80))}; lengths count bytes.
     *
     * @throws IllegalStateException when there is no chat template
     */
    public String chat(Consumer<Chat> conversation) {
        Chat c = Chat.of(conversation);
        return loaded.chat(c.messages(), c.options(), c.onText());
    }

    /**
     * Exact match on the held-out instruction prompts, as {@link Olmo#instructionAccuracy} (greedy, by bytes; in the
     * teacher's chat template when there is one).
     */
    public InstructionTasks.Accuracy instructionAccuracy(int perTask) {
        return Tasks.instructionAccuracy(loaded, tokenizer(), perTask);
    }

    /** Bits per UTF-8 byte with boundary folding. */
    public double bitsPerByte(String text) {
        return loaded.score(text).bitsPerByte();
    }

    /**
     * Held-out figures on about {@code chars} characters of the built-in validation split (an equal share of each
     * source, {@link BuiltinCorpus#heldOut}), next to the teacher when known; the command line reports the same.
     */
    public BolmoEval.Result evaluation(int chars) {
        BolmoEval.requireHeldOut("chars", chars);
        return BolmoEval.evaluate(model(), teacher == null ? null : teacher.model(), tokenizer(), BuiltinCorpus.heldOut(chars),
                BolmoEval.CHUNK_BYTES);
    }

    /** {@link #evaluation(int)} on the default held-out size ({@value BolmoEval#DEFAULT_HELD_OUT} characters). */
    public BolmoEval.Result evaluation() {
        return evaluation(BolmoEval.DEFAULT_HELD_OUT);
    }

    /** {@link #evaluate(int)} on the default held-out size ({@value BolmoEval#DEFAULT_HELD_OUT} characters). */
    public Table evaluate() {
        return evaluate(BolmoEval.DEFAULT_HELD_OUT);
    }

    /** {@link #evaluation(int)} as a table of metric names and values. */
    public Table evaluate(int chars) {
        BolmoEval.Result r = evaluation(chars);
        Table t = Table.create("evaluation");
        t.addColumns(StringColumn.create("metric", "boundary accuracy", "boundary precision", "boundary recall",
                        "bytes per patch", "subword bytes per patch", "bits per byte (bolmo)", "bits per byte (bolmo, subword boundaries)",
                        "bits per byte (teacher)"),
                DoubleColumn.create("value", r.boundaryAccuracy(), r.boundaryPrecision(), r.boundaryRecall(), r.bytesPerPatch(),
                        r.subwordBytesPerPatch(), r.bolmoBitsPerByte(), r.subwordBoundaryBitsPerByte(), r.teacherBitsPerByte()));
        return Tables.rounded(t);
    }

    /**
     * Where this Bolmo's boundary predictor cuts {@code text} next to the teacher tokenizer's tokens (a newline is
     * appended so the last byte has its lookahead, as in scoring). Renders as HTML in a notebook.
     */
    public BoundaryView boundaries(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            throw new IllegalArgumentException("text is empty");
        }
        LoadedBolmo.Logits all = loaded.logits(text + "\n"); // position 0 is BOS
        return new BoundaryView(bytes, Arrays.copyOfRange(all.boundaries(), 1, bytes.length + 1), tokenizer().encode(text).tokenEnds(),
                Arrays.copyOfRange(all.boundaryLogProb(), 1, bytes.length + 1), BoundaryView.MODEL_THRESHOLD);
    }

    /** The CUTE evaluator's view of this model. */
    ScoringModel scoring() {
        return loaded;
    }

    /** Every logged training step so far: stage, step, lr, loss and its parts, bytes/s. */
    public Table history() {
        Table t = Table.create("history");
        StringColumn stage = StringColumn.create("stage");
        IntColumn step = IntColumn.create("step");
        DoubleColumn lr = DoubleColumn.create("lr"), loss = DoubleColumn.create("loss"), rate = DoubleColumn.create("bytes_per_s");
        Map<String, DoubleColumn> parts = new LinkedHashMap<>();
        history.forEach(r -> r.step().parts().keySet().forEach(k -> parts.computeIfAbsent(k, DoubleColumn::create)));
        parts.remove("loss");
        for (Row r : history) {
            stage.append(r.stage());
            step.append(r.step().step());
            lr.append(r.step().lr());
            loss.append(r.step().loss());
            rate.append(r.step().perSecond());
            parts.forEach((k, c) -> c.append(r.step().parts().get(k))); // a part missing at this step: a missing value
        }
        t.addColumns(stage, step, lr, loss);
        parts.values().forEach(t::addColumns);
        t.addColumns(rate);
        return Tables.rounded(t);
    }

    public BolmoModel model() {
        return loaded.model();
    }

    BpeTokenizer tokenizer() {
        return loaded.subwordTokenizer();
    }

    @Override
    public String toString() {
        return "Bolmo(" + model().config() + ")";
    }

    /** Frees the model (not the teacher, which the caller owns). */
    @Override
    public void close() {
        loaded.close();
    }
}
