package io.bolmo4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** A tensor in Java memory, ready to be written: its stored type, shape and values. */
public final class HostTensor {
    private final TensorSpec spec;
    private final float[] floats;
    /** The values of an integer type (I64, or I32 widened). */
    private final long[] longs;

    private HostTensor(DType dtype, long[] shape, float[] floats, long[] longs) {
        this.spec = new TensorSpec(dtype, shape);
        this.floats = floats;
        this.longs = longs;
        if (spec.elements() != length()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + spec.elements()
                    + " values but " + length() + " were given");
        }
    }

    /** Stored as float32. */
    public static HostTensor f32(float[] data, long... shape) {
        return new HostTensor(DType.F32, shape, data, null);
    }

    /** Stored as bfloat16 (rounded to nearest even). */
    public static HostTensor bf16(float[] data, long... shape) {
        return new HostTensor(DType.BF16, shape, data, null);
    }

    /** Stored as float16 (rounded to nearest even). */
    public static HostTensor f16(float[] data, long... shape) {
        return new HostTensor(DType.F16, shape, data, null);
    }

    public static HostTensor i64(long[] data, long... shape) {
        return new HostTensor(DType.I64, shape, null, data);
    }

    public static HostTensor i32(int[] data, long... shape) {
        return new HostTensor(DType.I32, shape, null, Arrays.stream(data).asLongStream().toArray());
    }

    public DType dtype() {
        return spec.dtype();
    }

    public long[] shape() {
        return spec.shape();
    }

    private int length() {
        return floats != null ? floats.length : longs.length;
    }

    /** Header type and shape. */
    public TensorSpec spec() {
        return spec;
    }

    /** The header types and shapes of {@code tensors}, in their order. */
    static Map<String, TensorSpec> specs(Map<String, HostTensor> tensors) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        tensors.forEach((name, t) -> specs.put(name, t.spec));
        return specs;
    }

    /** Hands the stored bytes (little-endian) of {@code tensors}, one after the other, to {@code sink} in 1 MB blocks. */
    static void stream(Collection<HostTensor> tensors, Consumer<ByteBuffer> sink) {
        ByteBuffer block = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (HostTensor t : tensors) {
            t.stream(block, sink);
        }
    }

    /** Hands the stored bytes to {@code sink} in blocks of {@code block}'s capacity. */
    private void stream(ByteBuffer block, Consumer<ByteBuffer> sink) {
        DType dtype = spec.dtype();
        int per = block.capacity() / dtype.size();
        for (int from = 0; from < length(); from += per) {
            int to = Math.min(length(), from + per);
            block.clear();
            if (floats != null) {
                dtype.encode(floats, from, to, block);
            } else {
                for (int i = from; i < to; i++) {
                    if (dtype == DType.I64) {
                        block.putLong(longs[i]);
                    } else {
                        block.putInt((int) longs[i]);
                    }
                }
            }
            sink.accept(block.flip());
        }
    }
}
