package io.bolmo4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

/** A tensor in Java memory, ready to be written: its stored type, shape and values. */
public final class HostTensor {
    private final DType dtype;
    private final long[] shape;
    private final float[] floats;
    private final long[] longs;
    private final int[] ints;

    private HostTensor(DType dtype, long[] shape, float[] floats, long[] longs, int[] ints) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        int have = floats != null ? floats.length : longs != null ? longs.length : ints.length;
        if (n != have) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values but " + have + " were given");
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        this.ints = ints;
    }

    /** Stored as float32. */
    public static HostTensor f32(float[] data, long... shape) {
        return new HostTensor(DType.F32, shape, data, null, null);
    }

    /** Stored as bfloat16 (rounded to nearest even). */
    public static HostTensor bf16(float[] data, long... shape) {
        return new HostTensor(DType.BF16, shape, data, null, null);
    }

    /** Stored as float16 (rounded to nearest even). */
    public static HostTensor f16(float[] data, long... shape) {
        return new HostTensor(DType.F16, shape, data, null, null);
    }

    public static HostTensor i64(long[] data, long... shape) {
        return new HostTensor(DType.I64, shape, null, data, null);
    }

    public static HostTensor i32(int[] data, long... shape) {
        return new HostTensor(DType.I32, shape, null, null, data);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Size of the stored data in bytes. */
    public long byteSize() {
        return (long) length() * dtype.size();
    }

    private int length() {
        return floats != null ? floats.length : longs != null ? longs.length : ints.length;
    }

    /** Header type and shape. */
    public TensorSpec spec() {
        return new TensorSpec(dtype, shape);
    }

    /** Hands the stored bytes (little-endian) to {@code sink} in blocks of {@code block}'s capacity. */
    void stream(ByteBuffer block, Consumer<ByteBuffer> sink) {
        block.order(ByteOrder.LITTLE_ENDIAN);
        int per = block.capacity() / dtype.size();
        for (int from = 0; from < length(); from += per) {
            int to = Math.min(length(), from + per);
            block.clear();
            if (floats != null) {
                dtype.encode(floats, from, to, block);
            } else {
                for (int i = from; i < to; i++) {
                    if (longs != null) {
                        block.putLong(longs[i]);
                    } else {
                        block.putInt(ints[i]);
                    }
                }
            }
            sink.accept(block.flip());
        }
    }
}
