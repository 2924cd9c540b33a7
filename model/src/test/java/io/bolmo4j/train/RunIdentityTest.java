package io.bolmo4j.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A training checkpoint records what its run started from; resuming it from another model is refused untouched. */
class RunIdentityTest {
    @TempDir
    Path dir;

    private static Params weights(long seed) {
        Params p = Params.create();
        p.putNormal("layer.weight", new Random(seed), 0.02, 64, 48);
        p.putNormal("norm.weight", new Random(seed + 1), 1, 48);
        return p;
    }

    @Test
    void anotherModelsCheckpointIsRefusedNamingBothAndLeftUnread() {
        Backend.noGrad();
        try (Params a = weights(1); Params same = weights(1); Params b = weights(2); NDManager m = Backend.newManager()) {
            RunIdentity fromA = RunIdentity.of("teacher runs/a", a.asMap()), fromB = RunIdentity.of("teacher runs/b", b.asMap());
            assertEquals(fromA.fingerprint(), RunIdentity.of("another name", same.asMap()).fingerprint(),
                    "the fingerprint is the weights'");
            assertNotEquals(fromA.fingerprint(), fromB.fingerprint());
            Path ckpt = dir.resolve("checkpoint");
            JsonObject state = new JsonObject();
            state.addProperty("step", 3);
            TrainCheckpoint.save(ckpt, a, new AdamW(List.of(), 0.9, 0.95, 1e-8, m), state, fromA);
            float[] before = b.get("layer.weight").toFloatArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainCheckpoint.load(ckpt, b, new AdamW(List.of(), 0.9, 0.95, 1e-8, m), fromB));
            assertTrue(e.getMessage().contains("was started from teacher runs/a (weights #" + fromA.fingerprint() + ")")
                    && e.getMessage().contains("not from this run's teacher runs/b (weights #" + fromB.fingerprint() + ")"),
                    e.getMessage());
            assertArrayEquals(before, b.get("layer.weight").toFloatArray(), "nothing was loaded");
            assertEquals(3, TrainCheckpoint.load(ckpt, b, new AdamW(List.of(), 0.9, 0.95, 1e-8, m), fromA).get("step").getAsInt());
        }
    }
}
