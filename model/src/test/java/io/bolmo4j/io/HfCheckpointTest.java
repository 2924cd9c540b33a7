package io.bolmo4j.io;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfCheckpointTest {
    @TempDir
    Path dir;

    private static Map<String, HostTensor> tensors(int n) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            float[] d = new float[64];
            for (int j = 0; j < d.length; j++) {
                d[j] = i * 1000 + j;
            }
            t.put("model.layers." + i + ".w", HostTensor.f32(d, 8, 8));
        }
        return t;
    }

    private static JsonObject config() {
        JsonObject c = new JsonObject();
        c.addProperty("model_type", "olmo2");
        return c;
    }

    /** config.json marks a whole checkpoint: a save stopped half way (here by a file it cannot write) leaves none. */
    @Test
    void aSaveThatStopsHalfWayNeverReadsAsACheckpoint() throws IOException {
        HfCheckpoint.save(dir, config(), tensors(1), 1 << 20, Map.of("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(dir.resolve("chat_template.jinja").resolve("in the way"));
        assertThrows(RuntimeException.class, () -> HfCheckpoint.save(dir, config(), tensors(2), 1 << 20,
                Map.of("chat_template.jinja", "{{ x }}".getBytes(StandardCharsets.UTF_8))));
        assertFalse(Files.exists(dir.resolve(HfCheckpoint.CONFIG)), "neither the old config nor the new one");
        CheckpointException e = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("weights but no config.json: a save that did not finish"), e.getMessage());
    }

    @Test
    void aNamedPipeIsRefusedNotWaitedOn() throws Exception {
        HfCheckpoint.save(dir, config(), tensors(1), 1 << 20, Map.of());
        Files.delete(dir.resolve(HfCheckpoint.SINGLE));
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve(HfCheckpoint.SINGLE).toString()).start().waitFor());
        CheckpointException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(CheckpointException.class,
                () -> HfCheckpoint.open(dir)));
        assertTrue(e.getMessage().contains("model.safetensors: not a regular file (a named pipe"), e.getMessage());
    }

    @Test
    void shardedSaveAndLoadRoundTrip() throws IOException {
        HfCheckpoint.save(dir, config(), tensors(5), 600, Map.of("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Files.exists(dir.resolve(HfCheckpoint.INDEX)));
        assertFalse(Files.exists(dir.resolve(HfCheckpoint.SINGLE)));
        assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")), "256-byte tensors, 600-byte shards: 2+2+1");
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            assertEquals(3, c.files().size());
            assertEquals("olmo2", c.config().get("model_type").getAsString());
            assertEquals(5, c.names().size());
            float[] w4 = c.readFloats("model.layers.4.w", 8, 8);
            assertEquals(4000f, w4[0]);
            assertEquals(4063f, w4[63]);
            CheckpointException shape = assertThrows(CheckpointException.class, () -> c.readFloats("model.layers.0.w", 64));
            assertTrue(shape.getMessage().contains("model.layers.0.w") && shape.getMessage().contains("[8, 8]"), shape.getMessage());
            CheckpointException missing = assertThrows(CheckpointException.class, () -> c.readFloats("nope"));
            assertTrue(missing.getMessage().contains("'nope'") && missing.getMessage().contains(dir.toString()));
        }
        assertEquals("{}", Files.readString(dir.resolve("tokenizer.json")));
        // Re-saving unsharded replaces the shards' index.
        HfCheckpoint.save(dir, config(), tensors(2), 1 << 20, Map.of());
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            assertEquals(1, c.files().size());
            assertArrayEquals(new long[] {8, 8}, c.info("model.layers.1.w").shape());
        }
    }

    @Test
    void brokenDirectoriesAreClearErrors() throws IOException {
        CheckpointException none = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir.resolve("absent")));
        assertTrue(none.getMessage().contains("absent"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":");
        CheckpointException json = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
        assertTrue(json.getMessage().contains("config.json") && json.getMessage().contains("invalid JSON"), json.getMessage());
        Files.writeString(dir.resolve("config.json"), "{}");
        CheckpointException weights = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
        assertTrue(weights.getMessage().contains("model.safetensors"), weights.getMessage());
        Files.writeString(dir.resolve(HfCheckpoint.INDEX), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\"}}");
        CheckpointException shard = assertThrows(CheckpointException.class, () -> HfCheckpoint.open(dir));
        assertTrue(shard.getMessage().contains("model-00001-of-00002.safetensors") && shard.getMessage().contains("'a'"),
                shard.getMessage());
    }
}
