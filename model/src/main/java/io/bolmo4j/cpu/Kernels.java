package io.bolmo4j.cpu;

import io.bolmo4j.io.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Vector API loops of the Java engine: products of {@link Matrix} weights with activations, widening 2-byte
 * weights in registers, and the dot products of attention.
 * <p>
 * A 2-byte weight row is read as ints, each holding two neighbouring values: the even column is the low half, the odd
 * column the high half. Shifting or masking puts either half where an fp32's bits belong (bf16 is the top half of an
 * fp32; fp16 needs its exponent re-biased, one multiply by 2<sup>112</sup>), so the activations are split the same
 * way once per product ({@link #split}): their even columns, then their odd ones. Sums run in fp32 in a fixed order,
 * so results do not depend on the number of threads.
 */
final class Kernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Ints of the same width as {@link #F}: one load holds {@code 2·L} two-byte weights. */
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int HIGH_HALF = 0xFFFF0000;
    private static final int SIGN = 0x80000000;
    /** An fp16's exponent and mantissa moved to an fp32's places (exponent still biased by 15, not 127). */
    private static final int HALF_MAGNITUDE = 0x0FFFE000;
    private static final float HALF_REBIAS = 0x1p112f;
    /** Rows of a matrix whose activations stay in cache while a block of tokens passes over them. */
    private static final int ROW_BLOCK = 16;
    /** Tokens computed together: a weight loaded once serves all of them. */
    private static final int TOKEN_BLOCK = 4;

    private Kernels() {}

    /**
     * {@code x [tokens, cols]} with each row's columns reordered for 2-byte weights: evens, odds, then the last
     * column when {@code cols} is odd.
     */
    static float[] split(float[] x, int tokens, int cols) {
        float[] out = new float[tokens * cols];
        int pairs = cols / 2;
        for (int t = 0; t < tokens; t++) {
            int o = t * cols;
            for (int j = 0; j < pairs; j++) {
                out[o + j] = x[o + 2 * j];
                out[o + pairs + j] = x[o + 2 * j + 1];
            }
            if ((cols & 1) != 0) {
                out[o + cols - 1] = x[o + cols - 1];
            }
        }
        return out;
    }

    /**
     * {@code y[t · w.rows() + r] = Σ_c w[r, c] · x[t, c]} for rows {@code [from, to)} and every token; {@code x} is in
     * the column order of {@code w}'s type (split for 2-byte weights).
     */
    static void times(Matrix w, float[] x, int tokens, float[] y, int from, int to) {
        ByteBuffer data = w.data();
        int cols = w.cols(), rows = w.rows(), size = w.type().size();
        boolean bf16 = w.type() == DType.BF16;
        for (int r0 = from; r0 < to; r0 += ROW_BLOCK) {
            int r1 = Math.min(to, r0 + ROW_BLOCK);
            int t = 0;
            for (; t + TOKEN_BLOCK <= tokens; t += TOKEN_BLOCK) {
                for (int r = r0; r < r1; r++) {
                    int row = r * cols * size;
                    if (size == 2) {
                        halfx4(data, row, x, t * cols, cols, y, t * rows + r, rows, bf16);
                    } else {
                        f32x4(data, row, x, t * cols, cols, y, t * rows + r, rows);
                    }
                }
            }
            for (; t < tokens; t++) {
                for (int r = r0; r < r1; r++) {
                    int row = r * cols * size;
                    y[t * rows + r] = size == 2 ? half(data, row, x, t * cols, cols, bf16) : f32(data, row, x, t * cols, cols);
                }
            }
        }
    }

    private static IntVector pairs(ByteBuffer w, int at) {
        return IntVector.fromByteBuffer(I, w, at, ByteOrder.LITTLE_ENDIAN);
    }

    private static FloatVector bf16Even(IntVector v) {
        return v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector bf16Odd(IntVector v) {
        return v.and(HIGH_HALF).reinterpretAsFloats();
    }

    /** The fp16 in the top half of each int, as fp32. */
    private static FloatVector f16Top(IntVector top) {
        return top.and(SIGN).or(top.lanewise(VectorOperators.LSHR, 3).and(HALF_MAGNITUDE)).reinterpretAsFloats().mul(HALF_REBIAS);
    }

    private static FloatVector f16Even(IntVector v) {
        return f16Top(v.lanewise(VectorOperators.LSHL, 16));
    }

    private static FloatVector f16Odd(IntVector v) {
        return f16Top(v);
    }

    private static FloatVector even(IntVector v, boolean bf16) {
        return bf16 ? bf16Even(v) : f16Even(v);
    }

    private static FloatVector odd(IntVector v, boolean bf16) {
        return bf16 ? bf16Odd(v) : f16Odd(v);
    }

    private static FloatVector at(float[] x, int i) {
        return FloatVector.fromArray(F, x, i);
    }

    /** A 2-byte row: bf16 when {@code bf16}, else fp16 (a loop-invariant test that C2 hoists out of the loop). */
    private static float half(ByteBuffer w, int row, float[] x, int xo, int cols, boolean bf16) {
        int pairs = cols / 2, bound = I.loopBound(pairs);
        FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
        int j = 0;
        for (; j < bound; j += L) {
            IntVector v = pairs(w, row + 4 * j);
            a = even(v, bf16).fma(at(x, xo + j), a);
            b = odd(v, bf16).fma(at(x, xo + pairs + j), b);
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        return s + tail(w, bf16, row, x, xo, cols, j);
    }

    private static float f32(ByteBuffer w, int row, float[] x, int xo, int cols) {
        int bound = F.loopBound(cols);
        FloatVector a = FloatVector.zero(F);
        int j = 0;
        for (; j < bound; j += L) {
            a = FloatVector.fromByteBuffer(F, w, row + 4 * j, ByteOrder.LITTLE_ENDIAN).fma(at(x, xo + j), a);
        }
        float s = a.reduceLanes(VectorOperators.ADD);
        for (; j < cols; j++) {
            s += w.getFloat(row + 4 * j) * x[xo + j];
        }
        return s;
    }

    /** The columns of a 2-byte row from pair {@code j} on, one at a time. */
    private static float tail(ByteBuffer w, boolean bf16, int row, float[] x, int xo, int cols, int j) {
        int pairs = cols / 2;
        float s = 0;
        for (; j < pairs; j++) {
            s += widen(bf16, w.getShort(row + 4 * j)) * x[xo + j] + widen(bf16, w.getShort(row + 4 * j + 2)) * x[xo + pairs + j];
        }
        if ((cols & 1) != 0) {
            s += widen(bf16, w.getShort(row + 2 * (cols - 1))) * x[xo + cols - 1];
        }
        return s;
    }

    private static float widen(boolean bf16, short bits) {
        return bf16 ? DType.bf16ToFloat(bits) : DType.f16ToFloat(bits);
    }

    private static void halfx4(ByteBuffer w, int row, float[] x, int xo, int cols, float[] y, int yo, int ys, boolean bf16) {
        int pairs = cols / 2, bound = I.loopBound(pairs);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int j = 0;
        for (; j < bound; j += L) {
            IntVector v = pairs(w, row + 4 * j);
            FloatVector even = even(v, bf16), odd = odd(v, bf16);
            int e = xo + j, o = xo + pairs + j;
            a0 = even.fma(at(x, e), a0);
            b0 = odd.fma(at(x, o), b0);
            a1 = even.fma(at(x, e + cols), a1);
            b1 = odd.fma(at(x, o + cols), b1);
            a2 = even.fma(at(x, e + 2 * cols), a2);
            b2 = odd.fma(at(x, o + 2 * cols), b2);
            a3 = even.fma(at(x, e + 3 * cols), a3);
            b3 = odd.fma(at(x, o + 3 * cols), b3);
        }
        y[yo] = a0.add(b0).reduceLanes(VectorOperators.ADD) + tail(w, bf16, row, x, xo, cols, j);
        y[yo + ys] = a1.add(b1).reduceLanes(VectorOperators.ADD) + tail(w, bf16, row, x, xo + cols, cols, j);
        y[yo + 2 * ys] = a2.add(b2).reduceLanes(VectorOperators.ADD) + tail(w, bf16, row, x, xo + 2 * cols, cols, j);
        y[yo + 3 * ys] = a3.add(b3).reduceLanes(VectorOperators.ADD) + tail(w, bf16, row, x, xo + 3 * cols, cols, j);
    }

    private static void f32x4(ByteBuffer w, int row, float[] x, int xo, int cols, float[] y, int yo, int ys) {
        int bound = F.loopBound(cols);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j < bound; j += L) {
            FloatVector v = FloatVector.fromByteBuffer(F, w, row + 4 * j, ByteOrder.LITTLE_ENDIAN);
            a0 = v.fma(at(x, xo + j), a0);
            a1 = v.fma(at(x, xo + cols + j), a1);
            a2 = v.fma(at(x, xo + 2 * cols + j), a2);
            a3 = v.fma(at(x, xo + 3 * cols + j), a3);
        }
        float[] s = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
            a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD)};
        for (int k = 0; k < TOKEN_BLOCK; k++) {
            for (int c = j; c < cols; c++) {
                s[k] += w.getFloat(row + 4 * c) * x[xo + k * cols + c];
            }
            y[yo + k * ys] = s[k];
        }
    }

    /** {@code Σ a[ao + i] · b[bo + i]} over {@code n} values. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int bound = F.loopBound(n);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += L) {
            acc = at(a, ao + i).fma(at(b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** {@code y[yo + i] += alpha · x[xo + i]} over {@code n} values. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int bound = F.loopBound(n);
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i < bound; i += L) {
            at(x, xo + i).fma(a, at(y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    /** {@code c[co + i] = alpha · v[vo + i] + c[co + i] · decay} over {@code n} values (an mLSTM memory row). */
    static void decayAdd(float[] c, int co, float decay, float alpha, float[] v, int vo, int n) {
        int bound = F.loopBound(n);
        FloatVector a = FloatVector.broadcast(F, alpha), f = FloatVector.broadcast(F, decay);
        int i = 0;
        for (; i < bound; i += L) {
            at(v, vo + i).fma(a, at(c, co + i).mul(f)).intoArray(c, co + i);
        }
        for (; i < n; i++) {
            c[co + i] = alpha * v[vo + i] + c[co + i] * decay;
        }
    }

    /**
     * Reads rows {@code [from, to)} of {@code w} as they are stored, summing their bits (so the reads are not
     * optimised away): a stream at the rate memory delivers, with none of a product's arithmetic.
     */
    static int read(Matrix w, int from, int to) {
        ByteBuffer data = w.data();
        int rowBytes = w.cols() * w.type().size(), end = to * rowBytes, step = 4 * I.length() * 4;
        IntVector a = IntVector.zero(I), b = a, c = a, d = a;
        int at = from * rowBytes;
        for (; at + step <= end; at += step) {
            a = a.add(pairs(data, at));
            b = b.add(pairs(data, at + step / 4));
            c = c.add(pairs(data, at + step / 2));
            d = d.add(pairs(data, at + 3 * step / 4));
        }
        int s = a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
        for (; at < end; at++) {
            s += data.get(at);
        }
        return s;
    }

    /**
     * The flat index of the first NaN or infinity of {@code w}, or −1. Reads 8 bytes at a time as lanes of the
     * stored type and finds a lane whose exponent bits are all set, in plain Java: it runs once per matrix at load,
     * before the JIT has compiled any vector code.
     */
    static int firstNonFinite(Matrix w) {
        ByteBuffer data = w.data();
        int size = w.type().size(), n = w.rows() * w.cols();
        long exponent = switch (w.type()) {
            case BF16 -> 0x7F807F807F807F80L;
            case F16 -> 0x7C007C007C007C00L;
            default -> 0x7F8000007F800000L;
        };
        long top = size == 2 ? 0x8000800080008000L : 0x8000000080000000L;
        long one = size == 2 ? 0x0001000100010001L : 0x0000000100000001L;
        int bytes = n * size, bound = bytes - bytes % 8;
        for (int at = 0; at < bound; at += 8) {
            long missing = ~data.getLong(at) & exponent; // a lane is 0 where every exponent bit is set
            if ((((missing | top) - one) & top) != top) {
                return scan(w, at / size, n);
            }
        }
        return scan(w, bound / size, n);
    }

    private static int scan(Matrix w, int from, int n) {
        for (int i = from; i < n; i++) {
            if (!Float.isFinite(w.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
