package io.bolmo4j.cli;

import io.bolmo4j.olmo.BuiltinModels;
import picocli.CommandLine.ITypeConverter;

import java.nio.file.Path;

/** Reads a checkpoint argument: a directory, or the name of a built-in model ({@code tiny-olmo}, {@code tiny-olmo-instruct}). */
final class ModelDir implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        return BuiltinModels.resolve(Path.of(value));
    }
}
