package io.bolmo4j.dsl;

import io.bolmo4j.data.InstructionTasks;
import io.bolmo4j.engine.WeightType;
import io.bolmo4j.hub.ModelPaths;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Tokenization;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A subword language model, the teacher that {@link Bolmo#byteify} turns into a byte-level model: OLMo 2 / Olmo 3,
 * Llama 3.x and SmolLM2, Qwen 2.5 and Qwen 3 (see {@link io.bolmo4j.olmo.OlmoConfig.Family}). {@link Teacher} names the
 * same entry points without the OLMo in them.
 * <pre>{@code
 * var olmo = Olmo.load(Path.of("OLMo-2-0425-1B"));   // or Olmo.tiny(), the built-in teacher
 * var qwen = Olmo.load(Path.of("Qwen3-0.6B"));       // or Olmo.tinyQwen3()
 * olmo.generate("The whale");
 * olmo.bitsPerByte("Call me Ishmael.");
 * }</pre>
 */
public final class Olmo implements AutoCloseable {
    private final LoadedOlmo lm;
    private final Path dir;

    private Olmo(Path dir, WeightType type) {
        this.dir = dir;
        this.lm = LoadedOlmo.load(dir, type);
    }

    /**
     * Loads a Hugging Face directory (config.json, safetensors, tokenizer.json) of OLMo 2 / Olmo 3, Llama, Qwen 2.5 or
     * Qwen 3, a built-in model's name, or a Hub repository {@code ORG/NAME[@REVISION]} (from the Hugging Face cache, else
     * downloaded into it); its tokenizer_config.json and generation_config.json say which tokens start and end a text.
     */
    public static Olmo load(Path dir) {
        return load(dir, WeightType.FLOAT32);
    }

    /**
     * Loads with the weight matrices held as {@code type}: {@link WeightType#AUTO} keeps a bf16 checkpoint at 2 bytes
     * per weight (half the memory; for inference: byteify and training need {@link WeightType#FLOAT32}).
     */
    public static Olmo load(Path dir, WeightType type) {
        return new Olmo(ModelPaths.resolve(dir), type);
    }

    /** {@link #load(Path)} from a path string. */
    public static Olmo load(String dir) {
        return load(Path.of(dir));
    }

    /** The built-in teacher, an OLMo 2 of a few million parameters pretrained by bolmo4j on the built-in corpus. */
    public static Olmo tiny() {
        return new Olmo(BuiltinModels.path(BuiltinModels.TINY), WeightType.FLOAT32);
    }

    /**
     * The built-in Qwen 3 teacher: the same corpus, vocabulary ranks and size as {@link #tiny()}, Qwen 3's layers
     * (pre-norm, per-head QK-norm, grouped-query attention, tied embeddings) and special tokens, a ChatML template.
     */
    public static Olmo tinyQwen3() {
        return new Olmo(BuiltinModels.path(BuiltinModels.TINY_QWEN3), WeightType.FLOAT32);
    }

    /** The built-in teacher after instruction post-training (for task-arithmetic merges). */
    public static Olmo tinyInstruct() {
        return new Olmo(BuiltinModels.path(BuiltinModels.TINY_INSTRUCT), WeightType.FLOAT32);
    }

    /** Greedy continuation of up to 100 tokens. */
    public String generate(String prompt) {
        return generate(prompt, o -> { });
    }

    /** Continuation with options, e.g. {@code o -> o.maxNew(50).temperature(0.8).seed(1)}. */
    public String generate(String prompt, Consumer<Generation> options) {
        Generation g = new Generation();
        options.accept(g);
        return lm.generate(prompt, g.options(), s -> { });
    }

    /**
     * The model's answer to a conversation in its own chat template, e.g.
     * {@code olmo.chat(c -> c.system("You are terse.").user("Name a whale.").maxNew(50))}. Generation stops at any of
     * the model's stop ids (config, generation config, the template's end of turn).
     *
     * @throws IllegalStateException when the model has no chat template
     */
    public String chat(Consumer<Chat> conversation) {
        Chat c = Chat.of(conversation);
        return lm.chat(c.messages(), c.options(), c.onText());
    }

    /** Bits per UTF-8 byte of {@code text} (after a BOS). */
    public double bitsPerByte(String text) {
        return lm.score(text).bitsPerByte();
    }

    /**
     * Exact match on {@code perTask} held-out prompts of each instruction task, the same questions for every model: in
     * the model's own chat template when it has one, else in the fixed format {@code tiny-olmo-instruct} was
     * post-trained on.
     */
    public InstructionTasks.Accuracy instructionAccuracy(int perTask) {
        return Tasks.instructionAccuracy(lm, tokenizer(), perTask);
    }

    public OlmoModel model() {
        return lm.model();
    }

    /**
     * The text as this model's tokenizer encodes it, Hugging Face style: ids, token strings and UTF-8 byte offsets.
     * Literal special-token strings become their ids; no BOS/EOS is added (see {@link #tokenize(String, boolean)}).
     */
    public Tokenization tokenize(String text) {
        return tokenize(text, false);
    }

    /** @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens (BOS/EOS), as HF does */
    public Tokenization tokenize(String text, boolean addSpecialTokens) {
        return Tokenization.of(tokenizer(), text, addSpecialTokens);
    }

    public BpeTokenizer tokenizer() {
        return lm.tokenizer();
    }

    /** The checkpoint directory this model was loaded from. */
    public Path directory() {
        return dir;
    }

    LoadedOlmo loaded() {
        return lm;
    }

    @Override
    public String toString() {
        return "Olmo(" + dir + ": " + lm.config() + ")";
    }

    @Override
    public void close() {
        lm.close();
    }

    /** Generation options, from the shared defaults ({@link Sampling}). */
    public static final class Generation extends Sampling<Generation> {}
}
