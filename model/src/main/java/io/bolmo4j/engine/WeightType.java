package io.bolmo4j.engine;

import ai.djl.ndarray.types.DataType;
import io.bolmo4j.io.DType;

import java.util.Locale;

/**
 * How a checkpoint's weight matrices are held in the engine. Vectors (norm weights, biases) always load as fp32, and
 * all maths runs in fp32: a 2-byte matrix is widened where it is used.
 * <p>
 * The 2-byte type is IEEE half: DJL's PyTorch binding aborts the JVM on bf16 tensors, so bf16 checkpoints convert to
 * fp16 on load. That conversion is exact for |w| in [6.1e-5, 65504] (fp16 has more mantissa bits than bf16); smaller
 * values round to fp16's subnormal grid (absolute error at most 3e-8) and larger ones are refused with the tensor's
 * name.
 */
public enum WeightType {
    /** The checkpoint's own width: bf16/fp16 matrices stay 2 bytes (as fp16), fp32 stays fp32. */
    AUTO,
    /** Everything widened to fp32 on load: exact, twice the memory of a bf16 checkpoint, fastest decoding. */
    FLOAT32,
    /** 2 bytes per matrix weight (half of fp32's memory), widened to fp32 per use. */
    FLOAT16;

    /** Parses {@code auto}, {@code float32} or {@code float16} (the {@code --dtype} option). */
    public static WeightType parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("bfloat16") || v.equals("bf16")) {
            throw new IllegalArgumentException("dtype '" + s + "': the PyTorch engine through DJL cannot hold bf16 "
                    + "tensors; use float16 (2 bytes per weight, bf16 weights converted exactly within fp16's range) or float32");
        }
        return switch (v) {
            case "auto" -> AUTO;
            case "float32", "fp32", "f32" -> FLOAT32;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            default -> throw new IllegalArgumentException("dtype '" + s + "' is not one of auto, float32, float16");
        };
    }

    /** The engine type of a weight matrix stored as {@code stored} in the checkpoint. */
    public DataType matrixType(DType stored) {
        return switch (this) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
            case AUTO -> stored == DType.F32 ? DataType.FLOAT32 : DataType.FLOAT16;
        };
    }
}
