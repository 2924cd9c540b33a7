package io.bolmo4j.cli;

import io.bolmo4j.engine.WeightType;
import picocli.CommandLine.ITypeConverter;

/** Reads {@code --dtype auto|float32|float16}. */
final class WeightTypeOption implements ITypeConverter<WeightType> {
    static final String DESCRIPTION = "weight matrices as auto (the checkpoint's width: bf16 stays 2 bytes), float32 "
            + "(default; exact, fastest) or float16 (half the memory)";

    @Override
    public WeightType convert(String value) {
        return WeightType.parse(value);
    }
}
