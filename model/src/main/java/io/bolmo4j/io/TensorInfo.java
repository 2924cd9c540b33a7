package io.bolmo4j.io;

import java.util.Arrays;

/**
 * One entry of a safetensors header.
 *
 * @param begin absolute byte offset of the data in the file
 * @param end absolute end offset (exclusive)
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /** Number of elements. */
    public long elements() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
