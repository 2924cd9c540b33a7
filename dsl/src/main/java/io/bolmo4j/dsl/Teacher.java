package io.bolmo4j.dsl;

import java.nio.file.Path;

/**
 * The subword models {@link Bolmo#byteify} takes, under a name for any family: each method returns the same
 * {@link Olmo} as the method of that name there.
 * <pre>{@code
 * var qwen = Teacher.load("Qwen3-0.6B");      // a Qwen 3, Llama 3.x, SmolLM2, Qwen 2.5 or OLMo directory
 * var bolmo = Bolmo.byteify(qwen).stage1(s -> s.steps(300));
 * }</pre>
 */
public final class Teacher {
    private Teacher() {}

    /** {@link Olmo#load(Path)}. */
    public static Olmo load(Path dir) {
        return Olmo.load(dir);
    }

    /** {@link Olmo#load(String)}. */
    public static Olmo load(String dir) {
        return Olmo.load(dir);
    }

    /** {@link Olmo#tiny()}: the built-in OLMo 2. */
    public static Olmo tinyOlmo() {
        return Olmo.tiny();
    }

    /** {@link Olmo#tinyQwen3()}: the built-in Qwen 3. */
    public static Olmo tinyQwen3() {
        return Olmo.tinyQwen3();
    }
}
