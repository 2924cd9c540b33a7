package io.bolmo4j.io;

import java.util.Arrays;

/** What a safetensors header says of a tensor before its data exists: element type and shape. */
public record TensorSpec(DType dtype, long[] shape) {
    public TensorSpec {
        shape = shape.clone();
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    /** Number of elements. */
    public long elements() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    /** Size of the data in bytes. */
    public long bytes() {
        return elements() * dtype.size();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
