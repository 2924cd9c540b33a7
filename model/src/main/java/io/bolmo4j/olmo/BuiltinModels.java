package io.bolmo4j.olmo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The checkpoints bolmo4j ships: {@code tiny-olmo} (an OLMo 2 pretrained by {@code bolmo4j pretrain} on the built-in
 * corpus), {@code tiny-olmo-instruct} (its instruction-tuned variant) and {@code tiny-qwen3} (a Qwen 3 pretrained the
 * same way, with Qwen's special tokens and a ChatML template). Found, in order, under the folder named by
 * {@code -Dbolmo4j.models} / {@code BOLMO4J_MODELS}, under a {@code models/} folder at or above the working directory,
 * or inside the jar (copied once to a temporary folder).
 */
public final class BuiltinModels {
    public static final String TINY = "tiny-olmo";
    public static final String TINY_INSTRUCT = "tiny-olmo-instruct";
    public static final String TINY_QWEN3 = "tiny-qwen3";
    private static final List<String> NAMES = List.of(TINY, TINY_INSTRUCT, TINY_QWEN3);
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    /** Files a built-in model may have beside {@link #FILES}. */
    private static final List<String> OPTIONAL_FILES = List.of("tokenizer_config.json");

    private BuiltinModels() {}

    /** True for the names of shipped models. */
    public static boolean isBuiltin(String name) {
        return NAMES.contains(name);
    }

    /** The directory of a shipped model. */
    public static synchronized Path path(String name) {
        if (!isBuiltin(name)) {
            throw new IllegalArgumentException("no built-in model '" + name + "' (built in: " + NAMES + ")");
        }
        String configured = System.getProperty("bolmo4j.models", System.getenv("BOLMO4J_MODELS"));
        if (configured != null && Files.exists(Path.of(configured, name, "config.json"))) {
            return Path.of(configured, name);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("models").resolve(name).resolve("config.json"))) {
                return p.resolve("models").resolve(name);
            }
        }
        return extract(name);
    }

    private static Path extract(String name) {
        try {
            Path dir = Files.createTempDirectory("bolmo4j-" + name);
            for (String f : FILES) {
                try (InputStream in = BuiltinModels.class.getResourceAsStream("/models/" + name + "/" + f)) {
                    if (in == null) {
                        throw new IllegalStateException("built-in model '" + name + "' is not on the class path (missing " + f
                                + "); run from the repository or set -Dbolmo4j.models");
                    }
                    Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (String f : OPTIONAL_FILES) {
                try (InputStream in = BuiltinModels.class.getResourceAsStream("/models/" + name + "/" + f)) {
                    if (in != null) {
                        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack built-in model " + name, e);
        }
    }
}
