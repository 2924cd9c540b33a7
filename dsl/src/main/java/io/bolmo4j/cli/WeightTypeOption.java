package io.bolmo4j.cli;

import io.bolmo4j.engine.WeightType;
import picocli.CommandLine.ITypeConverter;

/** Reads {@code --dtype auto|float32|float16}. */
final class WeightTypeOption implements ITypeConverter<WeightType> {
    static final String DESCRIPTION = "DJL engine: weight matrices as auto (the checkpoint's width: bf16 stays 2 bytes),"
            + " float32 (default; exact) or float16 (half the memory). The Java engine (the CPU default, see --engine)"
            + " reads the weights as the file stores them";

    @Override
    public WeightType convert(String value) {
        return WeightType.parse(value);
    }
}
