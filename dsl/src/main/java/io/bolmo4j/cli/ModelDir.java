package io.bolmo4j.cli;

import io.bolmo4j.hub.ModelPaths;
import io.bolmo4j.olmo.BuiltinModels;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a checkpoint argument as {@link ModelPaths} resolves it: an existing directory, the name of a built-in model
 * ({@code tiny-olmo}, {@code tiny-olmo-instruct}, {@code tiny-qwen3}), or a Hub repository {@code ORG/NAME[@REVISION]} (from the hub
 * cache, else downloaded). A Hub failure (not found, refused, offline) propagates as its own one-line error.
 */
final class ModelDir implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        Path dir = ModelPaths.resolve(value);
        if (!Files.exists(dir)) {
            throw new TypeConversionException("no such folder: " + dir + " (built-in models: " + BuiltinModels.TINY
                    + ", " + BuiltinModels.TINY_INSTRUCT + ", " + BuiltinModels.TINY_QWEN3 + "; a Hub model is ORG/NAME)");
        }
        if (!Files.isDirectory(dir)) {
            throw new TypeConversionException(dir + " is a file; a checkpoint is a folder with config.json and weights");
        }
        return dir;
    }
}
