package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.LocalEncoder;
import io.bolmo4j.bolmo.merge.TaskVectorTest;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DslTest {
    @TempDir
    static Path dir;
    static final List<String> TEXTS = List.of("It was the best of times, it was the worst of times. ".repeat(20));

    @BeforeAll
    static void teachers() {
        Cl100kVocab vocab = Cl100kVocab.firstRanks(400);
        // a context of 1,024: the CUTE prompts fit as patches of an untrained Bolmo (more patches than tokens)
        OlmoConfig cfg = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 1024).with("eos_token_id", vocab.specialTokens().get("<|endoftext|>"));
        for (String name : new String[] {"base", "instruct"}) {
            // the instruct model is a post-training of the base, as a task-vector merge requires
            try (OlmoModel base = OlmoModel.random(cfg, 4); OlmoModel instruct = TaskVectorTest.shifted(base, 8)) {
                OlmoCheckpoint.save(name.equals("base") ? base : instruct, dir.resolve(name), false, Map.of("tokenizer.json", vocab.toJson().getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void theReadmePipelineRunsEndToEnd() {
        try (Olmo base = Olmo.load(dir.resolve("base")); Olmo instruct = Olmo.load(dir.resolve("instruct"))) {
            try (Bolmo bolmo = Bolmo.byteify(base)
                    .stage1(s -> s.steps(3).set("batch", 2).set("bytesPerExample", 64).texts(TEXTS))
                    .stage2(s -> s.steps(2).set("batch", 2).set("bytesPerExample", 64).set("targetBytesPerPatch", 6).texts(TEXTS))
                    .mergeTaskVector(instruct)) {
                Table h = bolmo.history();
                assertEquals(5, h.rowCount());
                assertEquals(List.of("stage1", "stage1", "stage1", "stage2", "stage2"), h.stringColumn("stage").asList());
                assertTrue(h.columnNames().containsAll(List.of("step", "lr", "loss", "boundary_bce", "distill", "ce", "bytes_per_s")));
                assertTrue(h.doubleColumn("distill").isMissing(4), "Stage 2 has no distillation loss");
                assertTrue(bolmo.bitsPerByte("the best of times") > 0);
                BoundaryView view = bolmo.boundaries("It was the best of times");
                String tokens = view.toString().lines().toList().get(1).substring("tokens:  ".length());
                assertEquals("It was the best of times", tokens.replace("|", ""));
                assertEquals(base.tokenizer().encode("It was the best of times").size(), tokens.split("\\|").length);
                String out = bolmo.generate("It was", g -> g.maxNew(5));
                assertTrue(out.length() <= 5, "5 bytes decode to at most 5 characters: " + out);
                Table eval = bolmo.evaluate(600);
                assertEquals(8, eval.rowCount());
                assertTrue(bolmo.evaluation(600).subwordBoundaryBitsPerByte() > 0, "bits per byte with the subword boundaries");
                Path saved = dir.resolve("bolmo");
                bolmo.save(saved);
                try (Bolmo back = Bolmo.load(saved)) {
                    assertEquals(bolmo.bitsPerByte("worst of times"), back.bitsPerByte("worst of times"), 1e-5);
                    assertThrows(IllegalStateException.class, () -> back.stage1(s -> s.steps(1)), "Stage 1 needs the teacher");
                }
            }
        }
    }

    @Test
    void worksFromAFreshThreadAsInANotebookCell() throws Exception {
        // PyTorch's grad mode is per thread and on in new threads: training and merging must not depend on it
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread cell = new Thread(() -> {
            try (Olmo base = Olmo.load(dir.resolve("base")); Olmo instruct = Olmo.load(dir.resolve("instruct"));
                 Bolmo bolmo = Bolmo.byteify(base).stage1(s -> s.steps(2).set("batch", 2).set("bytesPerExample", 64).texts(TEXTS))
                         .mergeTaskVector(instruct)) {
                assertTrue(bolmo.bitsPerByte("the worst of times") > 0);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        cell.start();
        cell.join();
        if (failure.get() != null) {
            throw new AssertionError("pipeline failed on a fresh thread", failure.get());
        }
    }

    @Test
    void architectureCheckComparesVariantsInOneCall() {
        try (Olmo base = Olmo.load(dir.resolve("base"))) {
            Map<String, Consumer<Architecture>> variants = new LinkedHashMap<>();
            variants.put("paper", a -> { });
            variants.put("decoder 1", a -> a.decoderLayers(1));
            variants.put("no suffix embeddings", a -> a.subwordSuffixEmbeddings(false));
            variants.put("causal", a -> a.causalBoundaries(true));
            ArchitectureCheck check = Bolmo.compareArchitectures(base, s -> s.steps(2).set("batch", 2).set("bytesPerExample", 64).texts(TEXTS), variants, 300);
            assertEquals(check.variants().get(3), check.variant("causal"));
            Table t = check.table();
            assertEquals(List.of("paper", "decoder 1", "no suffix embeddings", "causal"), t.stringColumn("variant").asList());
            var params = t.intColumn("local_parameters");
            assertTrue(params.get(1) < params.get(0), "fewer decoder layers, fewer parameters: " + params.asList());
            assertTrue(params.get(2) < params.get(0), "no suffix table, fewer parameters: " + params.asList());
            assertEquals(params.get(0), params.get(3), "causal boundaries change no shapes");
            for (int r = 0; r < 4; r++) {
                double a = t.doubleColumn("boundary_accuracy").get(r);
                assertTrue(a >= 0 && a <= 1 && t.doubleColumn("bits_per_byte").get(r) > 0
                        && t.doubleColumn("bits_per_byte_subword_boundaries").get(r) > 0, t.print());
            }
            assertThrows(IllegalArgumentException.class, () -> Bolmo.byteify(base, a -> a.decoderLayers(0)));
        }
    }

    @Test
    void cuteScoresTeacherAndBolmoOnTheSameExamples() {
        try (Olmo base = Olmo.load(dir.resolve("base")); Bolmo b = Bolmo.byteify(base)) {
            String text = "the worst of times";
            double nats = -b.scoring().score("", text).totalLogProb();
            assertEquals(b.bitsPerByte(text) * text.length() * Math.log(2), nats, 1e-3,
                    "scoring a continuation of nothing is scoring the text");
            Table t = Tasks.cute(1).add("teacher", base).add("bolmo", b).table();
            int tasks = t.rowCount() / 2;
            assertTrue(tasks >= 10, t.print());
            assertEquals(t.stringColumn("task").asList().subList(0, tasks), t.stringColumn("task").asList().subList(tasks, 2 * tasks));
            for (int r = 0; r < t.rowCount(); r++) {
                double em = t.doubleColumn("exact_match").get(r), bits = t.doubleColumn("answer_bits_per_byte").get(r);
                assertTrue(em >= 0 && em <= 1 && bits > 0, t.print());
            }
            assertThrows(IllegalArgumentException.class, () -> Tasks.cute(0));
        }
    }

    @Test
    void invalidSettingsAreClearErrors() {
        try (Olmo base = Olmo.load(dir.resolve("base")); Bolmo b = Bolmo.byteify(base)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.stage1(s -> s.steps(-1)));
            assertTrue(e.getMessage().contains("steps"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> b.stage2(s -> s.set("targetBytesPerPatch", -2)));
            assertThrows(IllegalArgumentException.class, () -> b.stage1(s -> s.set("lr", 0)));
            IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                    () -> b.stage2(s -> s.set("targetBytesPerPatch", 0.5)));
            assertTrue(half.getMessage().contains("0 (the subword boundaries) or a finite number > 1"), half.getMessage());
        }
    }

    /** Issue #22 in the DSL: a report of fewer held-out characters than its sources is refused before any training. */
    @Test
    void tooSmallHeldOutReportsAreRefusedBeforeTraining() {
        try (Olmo base = Olmo.load(dir.resolve("base")); Bolmo b = Bolmo.byteify(base)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.evaluation(50));
            assertTrue(e.getMessage().startsWith("chars must be an integer >= 100"), e.getMessage());
            AtomicBoolean trained = new AtomicBoolean();
            e = assertThrows(IllegalArgumentException.class, () -> Bolmo.compareArchitectures(base,
                    s -> trained.set(true), Map.of("paper", a -> { }), 0));
            assertTrue(e.getMessage().startsWith("evalBytes must be an integer >= 100"), e.getMessage());
            assertFalse(trained.get(), "refused before the first variant trained");
        }
    }

    /**
     * Issue #22 in the DSL: a Stage 2 checkpoint records the Bolmo it started from; continuing it from another Bolmo
     * is refused naming both (even with resumeAnyway) and leaves that Bolmo's weights as they were.
     */
    @Test
    void aStage2CheckpointOfAnotherBolmoIsRefusedNamingBoth() {
        Path first = dir.resolve("stage2-from"), second = dir.resolve("stage2-other"), ckpt = dir.resolve("stage2-ckpt");
        try (Olmo base = Olmo.load(dir.resolve("base"))) {
            try (Bolmo a = Bolmo.byteify(base, x -> x.seed(1)); Bolmo b = Bolmo.byteify(base, x -> x.seed(2))) {
                a.save(first);
                b.save(second);
            }
        }
        try (Bolmo a = Bolmo.load(first)) {
            assertThrows(IllegalStateException.class, () -> a.stage2(s -> s.steps(4).set("batch", 2).set("bytesPerExample", 64)
                    .texts(TEXTS).checkpoints(ckpt, 2).onStep(st -> {
                        if (st.step() == 3) {
                            throw new IllegalStateException("killed");
                        }
                    })));
        }
        try (Bolmo b = Bolmo.load(second)) {
            float[] before = b.model().params().get(LocalEncoder.BYTE_EMBEDDING).toFloatArray();
            for (boolean anyway : new boolean[] {false, true}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.stage2(s -> {
                    s.steps(4).set("batch", 2).set("bytesPerExample", 64).texts(TEXTS).checkpoints(ckpt, 2);
                    if (anyway) {
                        s.resumeAnyway();
                    }
                }));
                assertTrue(e.getMessage().contains("was started from the Bolmo " + first)
                        && e.getMessage().contains("not from this run's the Bolmo " + second), e.getMessage());
            }
            assertArrayEquals(before, b.model().params().get(LocalEncoder.BYTE_EMBEDDING).toFloatArray(), "nothing was loaded");
        }
        try (Bolmo a = Bolmo.load(first)) { // the Bolmo it started from continues it
            a.stage2(s -> s.steps(4).set("batch", 2).set("bytesPerExample", 64).texts(TEXTS).checkpoints(ckpt, 2));
            assertEquals(4, a.history().rowCount(), "steps 1-2 replayed from the checkpoint, 3-4 trained");
        }
    }

    /** Issue #22 in the DSL: the dry run validates the merge's options as the merge does. */
    @Test
    void planTaskVectorValidatesTheMergesOptions() {
        Path bolmo = dir.resolve("plan-bolmo");
        try (Olmo base = Olmo.load(dir.resolve("base")); Bolmo b = Bolmo.byteify(base)) {
            b.save(bolmo);
        }
        Path base = dir.resolve("base"), unrelated = dir.resolve("unrelated");
        try (OlmoModel b = OlmoCheckpoint.load(base); OlmoModel other = OlmoModel.random(b.config(), 9)) {
            OlmoCheckpoint.save(other, unrelated, false, Map.of());
        }
        assertEquals(Bolmo.planTaskVector(bolmo, base, base).merged().keySet(),
                Bolmo.planTaskVector(bolmo, base, base, o -> o.with("alpha", 0.5)).merged().keySet());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Bolmo.planTaskVector(bolmo, base, base, o -> o.with("alpha", Double.NaN)));
        assertEquals("alpha must be finite, got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bolmo.planTaskVector(bolmo, unrelated, base));
        assertTrue(e.getMessage().contains("differs from the base's by"), e.getMessage());
    }
}
