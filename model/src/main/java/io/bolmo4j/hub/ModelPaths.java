package io.bolmo4j.hub;

import io.bolmo4j.olmo.BuiltinModels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Where a model argument is, the one place every command and {@code Olmo.load} / {@code Bolmo.load} resolve it: an
 * existing folder; a built-in model ({@code tiny-olmo}, {@code tiny-olmo-instruct}, {@code tiny-qwen3}); or a Hub repository
 * {@code ORG/NAME[@REVISION]}, taken from the hub cache when it holds the model's files, else downloaded into it.
 * Anything else comes back as the path it names, for the caller's "no such folder".
 */
public final class ModelPaths {
    /**
     * The files of a repository a model needs: its top-level configs, weights, tokenizer and chat templates (not
     * README, other formats' weights, or subfolders such as Bolmo's {@code olmo_core/}).
     */
    public static final Predicate<String> MODEL_FILES = f -> !f.contains("/")
            && (f.endsWith(".json") || f.endsWith(".safetensors") || f.endsWith(".jinja"));

    private ModelPaths() {}

    /** The folder {@code model} names (see the class comment); downloads only for a Hub repository not in the cache. */
    public static Path resolve(String model) {
        Path p = Path.of(model);
        if (Files.exists(p)) {
            return p;
        }
        if (BuiltinModels.isBuiltin(model)) {
            return BuiltinModels.path(model);
        }
        if (!HubRepo.looksLike(model)) {
            return p;
        }
        try {
            return Hub.current().resolve(HubRepo.parse(model), MODEL_FILES);
        } catch (HubException e) {
            // the argument may have been meant as a folder (a typo, a run not made yet): say that none is here either
            throw e.kind() == HubException.Kind.CORRUPT ? e : new HubException(e.kind(), "no folder " + model + " here, and " + e.getMessage(), e);
        }
    }

    /** {@link #resolve(String)} of a path's text. */
    public static Path resolve(Path model) {
        return resolve(model.toString());
    }
}
