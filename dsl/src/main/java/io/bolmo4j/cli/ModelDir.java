package io.bolmo4j.cli;

import io.bolmo4j.olmo.BuiltinModels;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a checkpoint argument: an existing directory, or the name of a built-in model ({@code tiny-olmo},
 * {@code tiny-olmo-instruct}, {@code tiny-qwen3}).
 */
final class ModelDir implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        Path dir = BuiltinModels.resolve(Path.of(value));
        if (!Files.exists(dir)) {
            throw new TypeConversionException("no such folder: " + dir + " (built-in models: " + BuiltinModels.TINY
                    + ", " + BuiltinModels.TINY_INSTRUCT + ", " + BuiltinModels.TINY_QWEN3 + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw new TypeConversionException(dir + " is a file; a checkpoint is a folder with config.json and weights");
        }
        return dir;
    }
}
