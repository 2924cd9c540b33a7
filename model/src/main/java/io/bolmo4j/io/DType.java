package io.bolmo4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Safetensors element types bolmo4j reads and writes. */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8), I32(4), U8(1), I8(1), BOOL(1);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Decodes {@code n} values of this float type from {@code src} (little-endian, from its position) into {@code dst}. */
    public void decode(ByteBuffer src, float[] dst, int n) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> in.asFloatBuffer().get(dst, 0, n);
            case BF16 -> {
                for (int i = 0, p = in.position(); i < n; i++, p += 2) {
                    dst[i] = bf16ToFloat(in.getShort(p));
                }
            }
            case F16 -> {
                for (int i = 0, p = in.position(); i < n; i++, p += 2) {
                    dst[i] = f16ToFloat(in.getShort(p));
                }
            }
            default -> throw new IllegalStateException(this + " is not a float type");
        }
    }

    /** Encodes {@code src[from, to)} into {@code dst} (little-endian, advancing its position), rounding to nearest even. */
    public void encode(float[] src, int from, int to, ByteBuffer dst) {
        dst.order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> {
                for (int i = from; i < to; i++) {
                    dst.putFloat(src[i]);
                }
            }
            case BF16 -> {
                for (int i = from; i < to; i++) {
                    dst.putShort(floatToBf16(src[i]));
                }
            }
            case F16 -> {
                for (int i = from; i < to; i++) {
                    dst.putShort(floatToF16(src[i]));
                }
            }
            default -> throw new IllegalStateException(this + " is not a float type");
        }
    }

    /** Parses a header dtype; null when unknown. */
    static DType parse(String s) {
        return Arrays.stream(values()).filter(d -> d.name().equals(s)).findFirst().orElse(null);
    }

    /** bf16 bits to float: the bf16 is the upper half of the float. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float to bf16 bits, rounding to nearest even (as PyTorch does); NaN stays a quiet NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** IEEE half bits to float (subnormals, infinities and NaN included). */
    public static float f16ToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant · 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float to IEEE half bits, rounding to nearest even; overflow gives infinity. */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7E00);
        }
        float a = Math.abs(f);
        if (a >= 65520f) { // rounds up past the largest half (65504)
            return (short) (sign | 0x7C00);
        }
        if (a < 0x1p-14f) {
            // subnormal half: value = m · 2^-24, m rounded to nearest even by Math.rint
            return (short) (sign | (int) Math.rint(a * 0x1p24f));
        }
        int e = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mant = bits & 0x7FFFFF;
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // carries into the exponent correctly
        }
        return (short) (sign | half);
    }
}
