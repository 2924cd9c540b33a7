package io.bolmo4j.io;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams a checkpoint directory's weights: the tensors' bytes arrive in declaration order and go to
 * {@code model.safetensors}, or to shards of at most {@code maxShardBytes} (Hugging Face's
 * {@code model-00001-of-0000N.safetensors}) listed in {@code model.safetensors.index.json}. Each file is written
 * atomically; {@link #finish()} writes the index last and removes a stale single file or index.
 */
public final class CheckpointWriter implements AutoCloseable {
    private final Path dir;
    private final List<Map<String, TensorSpec>> shards = new ArrayList<>();
    private final long totalBytes;
    private int shard = -1;
    private SafetensorsWriter current;

    public CheckpointWriter(Path dir, Map<String, TensorSpec> tensors, long maxShardBytes) {
        this.dir = dir;
        Map<String, TensorSpec> cur = new LinkedHashMap<>();
        long curBytes = 0, total = 0;
        for (Map.Entry<String, TensorSpec> e : tensors.entrySet()) {
            long b = e.getValue().bytes();
            if (!cur.isEmpty() && curBytes + b > maxShardBytes) {
                shards.add(cur);
                cur = new LinkedHashMap<>();
                curBytes = 0;
            }
            cur.put(e.getKey(), e.getValue());
            curBytes += b;
            total += b;
        }
        shards.add(cur);
        totalBytes = total;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot create: " + e.getMessage(), e);
        }
        next();
    }

    /** Appends the next bytes of tensor data; they may run on into the next shard. */
    public void write(ByteBuffer data) {
        while (data.hasRemaining()) {
            while (current.remaining() == 0) {
                current.finish();
                next();
            }
            int n = (int) Math.min(data.remaining(), current.remaining());
            ByteBuffer part = data.duplicate().limit(data.position() + n);
            current.write(part);
            data.position(data.position() + n);
        }
    }

    /** Completes the last shard and writes the index (several shards) or removes a stale one (a single file). */
    public void finish() {
        current.finish();
        while (shard < shards.size() - 1) {
            next(); // only empty tensors remain
            current.finish();
        }
        try {
            if (shards.size() == 1) {
                Files.deleteIfExists(dir.resolve(HfCheckpoint.INDEX));
                return;
            }
            JsonObject weightMap = new JsonObject();
            for (int i = 0; i < shards.size(); i++) {
                String name = shardName(i);
                shards.get(i).keySet().forEach(k -> weightMap.addProperty(k, name));
            }
            JsonObject index = new JsonObject();
            JsonObject meta = new JsonObject();
            meta.addProperty("total_size", totalBytes);
            index.add("metadata", meta);
            index.add("weight_map", weightMap);
            HfCheckpoint.writeAtomically(dir.resolve(HfCheckpoint.INDEX), HfCheckpoint.pretty(index));
            Files.deleteIfExists(dir.resolve(HfCheckpoint.SINGLE));
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /** Number of weight files. */
    public int shardCount() {
        return shards.size();
    }

    private void next() {
        shard++;
        current = new SafetensorsWriter(dir.resolve(shardName(shard)), shards.get(shard), Map.of("format", "pt"));
    }

    private String shardName(int i) {
        return shards.size() == 1 ? HfCheckpoint.SINGLE : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
    }

    @Override
    public void close() {
        current.close();
    }
}
