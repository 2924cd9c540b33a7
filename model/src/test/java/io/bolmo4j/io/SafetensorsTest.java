package io.bolmo4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTripsWithMetadataAndOrder() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("z.f32", HostTensor.f32(new float[] {1.5f, -2.25f, Float.MIN_VALUE, Float.MAX_VALUE, 0f, -0f}, 2, 3));
        t.put("a.bf16", HostTensor.bf16(new float[] {1f, -0.5f, 3.140625f}, 3));
        t.put("m.f16", HostTensor.f16(new float[] {1f, -65504f, 0x1p-24f}, 3));
        t.put("i64", HostTensor.i64(new long[] {Long.MIN_VALUE, 7}, 2));
        t.put("i32", HostTensor.i32(new int[] {-3, 4, 5}, 1, 3));
        t.put("empty", HostTensor.f32(new float[0], 0, 4));
        Path f = dir.resolve("x.safetensors");
        Safetensors.write(f, t, Map.of("format", "pt", "note", "ü"));
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertEquals(List.of("z.f32", "a.bf16", "m.f16", "i64", "i32", "empty"), r.names());
            assertEquals("ü", r.metadata().get("note"));
            assertArrayEquals(new float[] {1.5f, -2.25f, Float.MIN_VALUE, Float.MAX_VALUE, 0f, -0f}, r.readFloats("z.f32"));
            assertArrayEquals(new float[] {1f, -0.5f, 3.140625f}, r.readFloats("a.bf16"));
            assertArrayEquals(new float[] {1f, -65504f, 0x1p-24f}, r.readFloats("m.f16"));
            assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, r.readLongs("i64"));
            assertArrayEquals(new int[] {-3, 4, 5}, r.readInts("i32"));
            assertArrayEquals(new long[] {2, 3}, r.info("z.f32").shape());
            assertEquals(0, r.readFloats("empty").length);
            assertEquals(0, (r.info("z.f32").begin()) % 8, "data section starts 8-byte aligned");
        }
    }

    /** Independent rounding: exact decimal value of the float, rounded half-even to 8 significant bits. */
    private static float bf16Reference(float f) {
        if (f == 0 || Float.isInfinite(f)) {
            return f;
        }
        int exp = Math.getExponent(f);
        BigDecimal ulp = new BigDecimal(Math.scalb(1.0, exp - 7));
        BigDecimal q = new BigDecimal(f).divide(ulp, MathContext.UNLIMITED).setScale(0, RoundingMode.HALF_EVEN);
        double r = q.multiply(ulp).doubleValue();
        return r > Float.MAX_VALUE ? Float.POSITIVE_INFINITY : r < -Float.MAX_VALUE ? Float.NEGATIVE_INFINITY : (float) r;
    }

    @Test
    void bf16ConversionIsRoundToNearestEvenAndBitExactBothWays() {
        // every bf16 bit pattern survives bf16 -> f32 -> bf16 unchanged (NaNs stay NaN)
        for (int b = 0; b < 0x10000; b++) {
            float f = DType.bf16ToFloat((short) b);
            short back = DType.floatToBf16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(DType.bf16ToFloat(back)));
            } else {
                assertEquals((short) b, back, "bits " + Integer.toHexString(b));
            }
        }
        Random r = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            // normal and subnormal floats, including exact ties (low 16 bits = 0x8000)
            int bits = r.nextInt();
            if (i % 4 == 0) {
                bits = (bits & 0xFFFF0000) | 0x8000;
            }
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f) || Math.getExponent(f) < Float.MIN_EXPONENT) {
                continue;
            }
            assertEquals(bf16Reference(f), DType.bf16ToFloat(DType.floatToBf16(f)), "float bits " + Integer.toHexString(bits));
        }
        assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16(Float.NaN))));
        assertEquals(Float.NEGATIVE_INFINITY, DType.bf16ToFloat(DType.floatToBf16(Float.NEGATIVE_INFINITY)));
        assertEquals((short) 0x8000, DType.floatToBf16(-0f));
    }

    @Test
    void f16ConversionMatchesHalfPrecisionRules() {
        for (int b = 0; b < 0x10000; b++) {
            float f = DType.f16ToFloat((short) b);
            if (!Float.isNaN(f)) {
                assertEquals((short) b, DType.floatToF16(f), "bits " + Integer.toHexString(b));
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, DType.f16ToFloat(DType.floatToF16(70000f)));
        assertEquals(2048f, DType.f16ToFloat(DType.floatToF16(2049f)), "tie rounds to even");
        assertEquals(2052f, DType.f16ToFloat(DType.floatToF16(2051f)), "tie rounds to even");
        assertEquals(0x1p-24f, DType.f16ToFloat(DType.floatToF16(0x1.8p-25f)), "subnormal tie to even (1)");
    }

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void assertBad(Path f, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> {
            try (SafetensorsFile s = SafetensorsFile.open(f)) {
                s.names().forEach(s::readFloats);
            }
        });
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String frag : fragments) {
            assertTrue(e.getMessage().contains(frag), "'" + frag + "' not in: " + e.getMessage());
        }
    }

    @Test
    void badFilesFailWithFileAndTensorNamed() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertBad(tiny, "shorter than");
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertBad(huge, "header length");
        Path negative = dir.resolve("neg.safetensors");
        Files.write(negative, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        assertBad(negative, "header length");
        assertBad(raw("{not json", 0), "JSON");
        assertBad(raw("[1,2]", 0), "not a JSON object");
        assertBad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "'w'", "data_offsets");
        assertBad(raw("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'w'", "unknown dtype");
        assertBad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "'w'", "truncated");
        assertBad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "'w'", "ordered");
        assertBad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "'w'", "needs 12");
        assertBad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "'w'", "negative");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlaps");
        assertBad(raw("{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "'w'", "not a float");
        try (SafetensorsFile s = SafetensorsFile.open(raw("{}", 0))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.readFloats("missing"));
            assertTrue(e.getMessage().contains("'missing'"));
        }
    }

    @Test
    void atomicWriteLeavesNoTempFilesAndNeverAPartialTarget() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Safetensors.write(f, Map.of("a", HostTensor.f32(new float[] {1}, 1)), Map.of());
        Safetensors.write(f, Map.of("a", HostTensor.f32(new float[] {2}, 1)), Map.of());
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {2}, r.readFloats("a"));
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                "an ordinary file, not the temp file's 0600");
        // The final rename cannot replace a non-empty directory: the write fails, and nothing is left behind.
        Path blocked = dir.resolve("blocked.safetensors");
        Files.createDirectories(blocked.resolve("inside"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Safetensors.write(blocked, Map.of("a", HostTensor.f32(new float[] {1}, 1)), Map.of()));
        assertTrue(e.getMessage().contains("blocked.safetensors"), e.getMessage());
        assertTrue(Files.isDirectory(blocked.resolve("inside")));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "only w.safetensors and the directory: no temp file");
        }
    }

    @Test
    void filesOver2GiBAreReadAcrossMappingWindows() throws IOException {
        long gib2 = 1L << 31;
        // tensor "far" lies past 2^31, tensor "straddle" crosses the 1 GiB window boundary at 2^31 (windows are 1 GiB)
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + (gib2 - 8) + "],\"data_offsets\":[0," + (gib2 - 8) + "]},"
                + "\"straddle\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + (gib2 - 8) + "," + (gib2 + 8) + "]},"
                + "\"far\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + (gib2 + 8) + "," + (gib2 + 12) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.safetensors");
        long dataStart = 8 + h.length;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(dataStart + gib2 + 12); // sparse: no 2 GB written to disk
            ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(h.length).put(h);
            raf.write(b.array());
            ByteBuffer d = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            d.putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(4.25f);
            d.putShort(DType.floatToBf16(7f)).putShort(DType.floatToBf16(-0.5f));
            raf.seek(dataStart + gib2 - 8);
            raf.write(d.array(), 0, 20);
        }
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1.5f, -2f, 3f, 4.25f}, r.readFloats("straddle"));
            assertArrayEquals(new float[] {7f, -0.5f}, r.readFloats("far"));
        }
    }
}
