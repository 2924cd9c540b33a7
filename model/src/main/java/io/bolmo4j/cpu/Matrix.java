package io.bolmo4j.cpu;

import io.bolmo4j.io.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A weight matrix {@code [rows, cols]} in PyTorch's layout, held as stored: bf16, fp16 or fp32, little-endian, in a
 * byte buffer that is a mapping of the checkpoint file or a view of an engine tensor. Products widen the weights in
 * registers ({@link Kernels}), so a decoding step reads each weight once, in its stored width.
 */
public final class Matrix {
    private final String name;
    private final ByteBuffer data;
    private final DType type;
    private final int rows;
    private final int cols;

    /**
     * @param name the tensor's name, for errors
     * @param data exactly {@code rows · cols} values of {@code type}
     */
    public Matrix(String name, ByteBuffer data, DType type, int rows, int cols) {
        if (type != DType.BF16 && type != DType.F16 && type != DType.F32) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + type + ", not a float type");
        }
        if ((long) rows * cols * type.size() != data.capacity()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.capacity() + " bytes do not hold ["
                    + rows + ", " + cols + "] values of " + type);
        }
        this.name = name;
        this.data = data.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        this.type = type;
        this.rows = rows;
        this.cols = cols;
    }

    public String name() {
        return name;
    }

    public DType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    ByteBuffer data() {
        return data;
    }

    /** Bytes a product reads. */
    public long bytes() {
        return data.capacity();
    }

    /** Row {@code r} widened to fp32 into {@code out} from {@code at} on (an embedding lookup). */
    public void row(int r, float[] out, int at) {
        int base = r * cols;
        for (int c = 0; c < cols; c++) {
            out[at + c] = get(base + c);
        }
    }

    /** Element {@code i} of the flat data, widened. */
    float get(int i) {
        return switch (type) {
            case BF16 -> DType.bf16ToFloat(data.getShort(2 * i));
            case F16 -> DType.f16ToFloat(data.getShort(2 * i));
            default -> data.getFloat(4 * i);
        };
    }

    /** Fails on a NaN or an infinity, which would poison every output without an error; reads every value once. */
    public void checkFinite() {
        int bad = Kernels.firstNonFinite(this);
        if (bad >= 0) {
            throw new IllegalArgumentException("tensor '" + name + "' holds " + get(bad) + " at flat index " + bad
                    + ": the weights are corrupt");
        }
    }

    @Override
    public String toString() {
        return name + " " + type + "[" + rows + ", " + cols + "]";
    }
}
