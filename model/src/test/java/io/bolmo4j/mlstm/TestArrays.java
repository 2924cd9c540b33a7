package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers: random float64/float32 tensors and tolerant comparisons. */
final class TestArrays {
    private TestArrays() {}

    static double[] gaussian(Random rng, int n, double mean, double std) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = mean + std * rng.nextGaussian();
        }
        return d;
    }

    static double[] softCapped(Random rng, int n, double mean, double std) {
        double[] d = gaussian(rng, n, mean, std);
        for (int i = 0; i < n; i++) {
            d[i] = 15 * Math.tanh(d[i] / 15);
        }
        return d;
    }

    /** A float64 tensor owning a copy of {@code data}. */
    static NDArray f64(NDManager m, double[] data, long... shape) {
        try (NDArray alias = m.create(data, new Shape(shape))) {
            return alias.duplicate();
        }
    }

    /** A float32 tensor from double data. */
    static NDArray f32(NDManager m, double[] data, long... shape) {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        try (NDArray alias = m.create(f, new Shape(shape))) {
            return alias.duplicate();
        }
    }

    static double[] doubles(NDArray x) {
        switch (x.getDataType()) {
            case FLOAT64:
                return x.toDoubleArray();
            case FLOAT32: {
                float[] f = x.toFloatArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                return d;
            }
            default:
                throw new IllegalArgumentException("not a float tensor: " + x.getDataType());
        }
    }

    /** Element-wise {@code |a−b| ≤ tol·max(1, max|a|)}: a tolerance relative to the array's scale. */
    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol * scale)) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i]
                        + " (tol " + tol * scale + ")");
            }
        }
    }

    static void assertClose(NDArray expected, NDArray actual, double tol, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
        assertClose(doubles(expected), doubles(actual), tol, what);
    }
}
