package io.bolmo4j.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;

import java.util.Map;

/**
 * Where the Java engine finds a model's tensors, by Hugging Face name: a checkpoint's files, mapped, or the DJL
 * engine's own tensors, viewed in place. Either way matrices are not copied; vectors (norms, biases) are read into
 * fp32 arrays.
 */
interface Weights {
    /** The matrix {@code name}, which must have shape {@code [rows, cols]}. */
    Matrix matrix(String name, long rows, long cols);

    /** The vector {@code name} of {@code n} values, as fp32. */
    float[] vector(String name, long n);

    /** The matrix {@code prefix + name}, shaped as {@code shapes} says of {@code name}. */
    default Matrix matrix(Map<String, long[]> shapes, String prefix, String name) {
        long[] s = shapes.get(name);
        return matrix(prefix + name, s[0], s[1]);
    }

    /** The vector {@code prefix + name}, shaped as {@code shapes} says of {@code name}. */
    default float[] vector(Map<String, long[]> shapes, String prefix, String name) {
        return vector(prefix + name, shapes.get(name)[0]);
    }

    /**
     * A checkpoint's tensors as the files hold them (bf16, fp16 or fp32), mapped: the pages become resident as
     * products read them, and the file counts once in memory. Every value is checked to be finite on first use.
     */
    static Weights mapped(HfCheckpoint ckpt) {
        return new Weights() {
            @Override
            public Matrix matrix(String name, long rows, long cols) {
                DType type = ckpt.info(name, rows, cols).dtype();
                if (!type.isFloat()) {
                    throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' is " + type + ", not a float type");
                }
                Matrix m = new Matrix(name, ckpt.map(name), type, (int) rows, (int) cols);
                try {
                    m.checkFinite();
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(ckpt.fileOf(name) + ": " + e.getMessage());
                }
                return m;
            }

            @Override
            public float[] vector(String name, long n) {
                float[] v = ckpt.readFloats(name, n);
                for (int i = 0; i < v.length; i++) {
                    if (!Float.isFinite(v[i])) {
                        throw new CheckpointException(ckpt.fileOf(name) + ": tensor '" + name + "' holds " + v[i]
                                + " at flat index " + i + ": the weights are corrupt");
                    }
                }
                return v;
            }
        };
    }

    /**
     * The DJL engine's parameters, viewed where they lie (fp32 or fp16, on the CPU): a view is only valid while the
     * parameters hold those tensors, so build the model on them for one generation or scoring call at a time.
     */
    static Weights of(Params params) {
        return new Weights() {
            @Override
            public Matrix matrix(String name, long rows, long cols) {
                NDArray a = params.get(name, rows, cols);
                DType type = a.getDataType() == DataType.FLOAT16 ? DType.F16 : DType.F32;
                if (a.getDataType() != DataType.FLOAT16 && a.getDataType() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("parameter '" + name + "' is " + a.getDataType() + ", not fp32 or fp16");
                }
                return new Matrix(name, a.toByteBuffer(true), type, (int) rows, (int) cols);
            }

            @Override
            public float[] vector(String name, long n) {
                NDArray a = params.get(name, n);
                return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
            }
        };
    }
}
