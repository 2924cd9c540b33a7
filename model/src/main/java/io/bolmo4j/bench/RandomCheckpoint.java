package io.bolmo4j.bench;

import com.google.gson.JsonObject;
import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.CheckpointWriter;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.TensorSpec;
import io.bolmo4j.olmo.OlmoCheckpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random bf16 checkpoints of any shape for benchmarks, streamed to disk a few MB at a time (a 7B model never sits in
 * memory). Matrices hold N(0, 0.02²) values, vectors 1 (norm weights) or 0 (biases). A tensor's values depend only on
 * its name and the seed, so checkpoints written with one seed share the tensors they name alike (a Bolmo and the
 * base it was "byteified" from).
 */
public final class RandomCheckpoint {
    private static final int CHUNK = 1 << 20;

    private RandomCheckpoint() {}

    /** Writes {@code dir} (config.json and sharded safetensors) atomically: it appears complete or not at all. */
    public static void write(Path dir, JsonObject config, Map<String, long[]> shapes, long seed) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        shapes.forEach((n, s) -> specs.put(n, new TensorSpec(DType.BF16, s)));
        Path tmp = null;
        try {
            tmp = AtomicFiles.tempDirFor(dir);
            try (CheckpointWriter w = new CheckpointWriter(tmp, specs, OlmoCheckpoint.SHARD_BYTES)) {
                ByteBuffer block = ByteBuffer.allocate(2 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
                    stream(e.getKey(), e.getValue(), seed, block, w);
                }
                w.finish();
            }
            JsonObject cfg = config.deepCopy();
            cfg.addProperty("torch_dtype", "bfloat16");
            Files.writeString(tmp.resolve(HfCheckpoint.CONFIG), cfg + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write: " + e.getMessage(), e);
        } finally {
            AtomicFiles.deleteQuietly(tmp);
        }
    }

    private static void stream(String name, TensorSpec spec, long seed, ByteBuffer block, CheckpointWriter w) {
        long n = spec.elements();
        boolean vector = spec.shape().length == 1;
        short constant = DType.floatToBf16(name.endsWith("norm.weight") ? 1f : 0f);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        for (long from = 0; from < n; from += CHUNK) {
            int len = (int) Math.min(CHUNK, n - from);
            block.clear();
            for (int i = 0; i < len; i++) {
                block.putShort(vector ? constant : DType.floatToBf16(0.02f * normal(rng.nextLong())));
            }
            w.write(block.flip());
        }
    }

    /** An approximately standard normal value from 64 random bits: the sum of four 16-bit uniforms, standardised. */
    private static float normal(long bits) {
        long sum = (bits & 0xFFFF) + (bits >>> 16 & 0xFFFF) + (bits >>> 32 & 0xFFFF) + (bits >>> 48);
        return (float) ((sum / 65536.0 - 2.0) * 1.7320508075688772); // Irwin-Hall(4): mean 2, variance 1/3
    }
}
