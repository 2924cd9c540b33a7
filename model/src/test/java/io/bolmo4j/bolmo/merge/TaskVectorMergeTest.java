package io.bolmo4j.bolmo.merge;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.DType;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.olmo.TransformerStack;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskVectorMergeTest {
    static final OlmoConfig CFG = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 128);

    @TempDir
    Path dir;
    Path bolmo, instruct, base;

    /** Adds N(0, std²) noise to the tensors {@code names} selects. */
    private static void perturb(Params p, Predicate<String> names, double std, long seed) {
        Random r = new Random(seed);
        for (Map.Entry<String, NDArray> e : new TreeMap<>(p.asMap()).entrySet()) { // one draw order on every JVM
            if (names.test(e.getKey())) {
                float[] v = e.getValue().toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (std * r.nextGaussian());
                }
                p.put(e.getKey(), v, e.getValue().getShape().getShape());
            }
        }
    }

    /**
     * bf16 Bolmo (global layers moved a little, as Stage 2 does), an fp32 instruct model (a mixed-dtype merge) and the
     * bf16 base it was byteified from.
     */
    @BeforeEach
    void checkpoints() {
        bolmo = dir.resolve("bolmo");
        instruct = dir.resolve("instruct");
        base = dir.resolve("base");
        try (OlmoModel b = OlmoModel.random(CFG, 1); BolmoModel m = Byteify.fromTeacher(b, 402, 3)) {
            OlmoCheckpoint.save(b, base, true, Map.of());
            perturb(m.params(), n -> n.startsWith("model.layers."), 0.002, 4);
            BolmoCheckpoint.save(m, bolmo, true, "{\"teacher\": true}");
            perturb(b.params(), n -> true, 0.01, 5);
            OlmoCheckpoint.save(b, instruct, false, Map.of());
        }
    }

    @Test
    void streamedMergeEqualsTheInMemoryMergeBitForBit() throws IOException {
        Path out = dir.resolve("merged");
        TaskVectorMerge.Result r = TaskVectorMerge.merge(bolmo, instruct, base, out,
                TaskVectorMerge.Options.defaults().with("alpha", 0.7).with("shardBytes", 16 << 10));
        assertTrue(r.shards() > 1, "small shards force an index: " + r.shards());
        assertTrue(Files.exists(out.resolve(HfCheckpoint.INDEX)));
        // noise of std 0.002 on weights of std 0.02: the farthest global tensor is about 10 % from the base, and passes
        assertEquals(0.1, r.baseDistance(), 0.02, "Stage-2-like drift passes the base check: " + r.farthestTensor());
        assertEquals("{\"teacher\": true}", Files.readString(out.resolve("tokenizer.json")));
        assertEquals(Files.readString(bolmo.resolve("config.json")), Files.readString(out.resolve("config.json")));
        assertTrue(Files.exists(out.resolve("tokenizer_config.json")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("base", "bolmo", "instruct", "merged"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temp folder left behind");
        }
        try (BolmoModel want = BolmoCheckpoint.load(bolmo); OlmoModel in = OlmoCheckpoint.load(instruct);
             OlmoModel ba = OlmoCheckpoint.load(base); BolmoModel got = BolmoCheckpoint.load(out);
             HfCheckpoint raw = HfCheckpoint.open(out); HfCheckpoint src = HfCheckpoint.open(bolmo)) {
            List<String> merged = TaskVector.merge(want, in, ba, 0.7);
            assertEquals(Set.copyOf(merged), r.plan().merged().keySet(), "one rule for which tensors merge");
            assertEquals(want.params().asMap().keySet(), got.params().asMap().keySet());
            for (String n : want.params().asMap().keySet()) {
                assertEquals(DType.BF16, raw.info(n).dtype(), n + " keeps the Bolmo's dtype");
                float[] expected = want.params().get(n).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = DType.bf16ToFloat(DType.floatToBf16(expected[i])); // what a bf16 save of it holds
                }
                assertArrayEquals(expected, got.params().get(n).toFloatArray(), n);
                if (!merged.contains(n)) {
                    assertArrayEquals(src.readFloats(n), raw.readFloats(n), n + " is copied unchanged");
                }
            }
        }
    }

    @Test
    void aBaseThatIsNotTheBolmosSourceIsRefusedNamingTheTensor() {
        Path other = dir.resolve("other");
        try (OlmoModel o = OlmoModel.random(CFG, 99)) {
            OlmoCheckpoint.save(o, other, true, Map.of());
        }
        Path out = dir.resolve("merged");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskVectorMerge.merge(bolmo, instruct, other, out, TaskVectorMerge.Options.defaults()));
        String first = ParameterLayout.layer(0) + "self_attn.q_proj.weight";
        assertTrue(e.getMessage().contains("'" + first + "'") && e.getMessage().contains("differs from the Bolmo's by 1"),
                e.getMessage());
        assertFalse(Files.exists(out));
        assertEquals(4, dir.toFile().list().length, "no temp folder left behind");
        // a base of another architecture fails before any data is read
        Path wide = dir.resolve("wide");
        try (OlmoModel o = OlmoModel.random(OlmoConfig.of("olmo2", 512, 32, 64, 3, 4, 4, 128), 1)) {
            OlmoCheckpoint.save(o, wide, true, Map.of());
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> TaskVectorMerge.merge(bolmo, wide, wide, out, TaskVectorMerge.Options.defaults()));
        assertTrue(e.getMessage().contains("byteified from"), e.getMessage());
    }

    @Test
    void theDryRunPlanListsWhatChangesAndTheOutputMustBeNew() throws IOException {
        TaskVectorMerge.Plan p = TaskVectorMerge.plan(bolmo, instruct, base);
        assertEquals(2 * 11 + 1, p.merged().size(), "11 tensors per global layer plus model.norm");
        assertTrue(p.merged().containsKey("model.norm.weight"));
        assertTrue(p.kept().get("lm_head.weight").startsWith("shapes differ: [520, 32] vs [512, 32]"), p.kept().get("lm_head.weight"));
        assertEquals("not in the instruct model", p.kept().get("model.local_encoder.byte_embedding.weight"));
        assertEquals(List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"), p.copiedFiles());
        long values = 0;
        for (long[] s : TransformerStack.shapes(CFG).values()) {
            values += s[0] * (s.length > 1 ? s[1] : 1);
        }
        assertEquals(values + 32, p.mergedValues());
        Path out = dir.resolve("taken");
        Files.createDirectories(out.resolve("x"));
        var e = assertThrows(CheckpointException.class,
                () -> TaskVectorMerge.merge(bolmo, instruct, base, out, TaskVectorMerge.Options.defaults()));
        assertTrue(e.getMessage().contains("taken") && e.getMessage().contains("already exists"), e.getMessage());
    }
}
