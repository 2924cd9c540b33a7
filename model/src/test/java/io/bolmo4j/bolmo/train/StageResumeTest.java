package io.bolmo4j.bolmo.train;

import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stage killed after a checkpoint and run again with the same folder ends where an uninterrupted run ends. */
class StageResumeTest {
    static final OlmoConfig TEACHER = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 256);
    static final Stage1.Config S1 = Stage1.Config.defaults().with("steps", 6).with("batch", 2).with("bytesPerExample", 64).with("lr", 3e-3).with("encoderLayers", 1).with("seed", 3);
    static final Stage2.Config S2 = Stage2.Config.defaults().with("steps", 6).with("batch", 2).with("bytesPerExample", 64).with("lr", 2e-3)
            .with("targetBytesPerPatch", 5).with("compressionSteps", 6).with("seed", 4);

    @TempDir
    Path dir;

    @Test
    void stage1ResumesExactly() {
        check((student, teacher) -> new Stage1(student, teacher, Stage1Test.TOK), (t, log) -> ((Stage1) t).run(Stage1Test.TEXTS, S1, log::add));
    }

    @Test
    void stage2WithCompressionMergesResumesExactly() {
        check((student, teacher) -> new Stage2(student, Stage1Test.TOK), (t, log) -> ((Stage2) t).run(Stage1Test.TEXTS, S2, log::add));
    }

    @Test
    void anInterruptStopsBetweenSteps() {
        try (OlmoModel teacher = OlmoModel.random(TEACHER, 1);
             BolmoModel m = Byteify.fromTeacher(teacher, Stage1Test.TOK.vocabSize(), 2)) {
            List<Trainer.Step> log = new ArrayList<>();
            try {
                var e = assertThrows(CancellationException.class, () -> new Stage1(m, teacher, Stage1Test.TOK)
                        .run(Stage1Test.TEXTS, S1, s -> {
                            log.add(s);
                            if (s.step() == 2) {
                                Thread.currentThread().interrupt(); // as a notebook's interrupt button does
                            }
                        }));
                assertTrue(e.getMessage().contains("after step 2"), e.getMessage());
                assertEquals(2, log.size());
            } finally {
                Thread.interrupted();
            }
        }
    }

    private void check(BiFunction<BolmoModel, OlmoModel, StageTrainer> stage, Runner run) {
        try (OlmoModel teacher = OlmoModel.random(TEACHER, 1)) {
            List<Trainer.Step> straight = new ArrayList<>();
            Map<String, float[]> expected;
            try (BolmoModel m = Byteify.fromTeacher(teacher, Stage1Test.TOK.vocabSize(), 2)) {
                run.run(stage.apply(m, teacher), straight);
                expected = snapshot(m);
            }
            Path ckpt = dir.resolve("ckpt");
            List<Trainer.Step> first = new ArrayList<>();
            try (BolmoModel m = Byteify.fromTeacher(teacher, Stage1Test.TOK.vocabSize(), 2)) {
                StageTrainer t = stage.apply(m, teacher);
                t.checkpoints(ckpt, 3);
                RuntimeException kill = assertThrows(RuntimeException.class, () -> run.run(t, new ArrayList<>() {
                    @Override
                    public boolean add(Trainer.Step s) {
                        if (s.step() == 5) {
                            throw new IllegalStateException("killed");
                        }
                        first.add(s);
                        return true;
                    }
                }));
                assertEquals("killed", kill.getMessage());
            }
            List<Trainer.Step> resumed = new ArrayList<>();
            try (BolmoModel m = Byteify.fromTeacher(teacher, Stage1Test.TOK.vocabSize(), 2)) {
                StageTrainer t = stage.apply(m, teacher);
                t.checkpoints(ckpt, 3);
                run.run(t, resumed);
                Map<String, float[]> got = snapshot(m);
                for (var e : expected.entrySet()) {
                    assertArrayEquals(e.getValue(), got.get(e.getKey()), 1e-6f, e.getKey());
                }
            }
            assertEquals(4, first.size(), "steps 1-4 ran before the kill; the checkpoint holds 3");
            assertEquals(straight.size(), resumed.size());
            for (int i = 0; i < straight.size(); i++) {
                assertEquals(straight.get(i).step(), resumed.get(i).step());
                assertEquals(straight.get(i).loss(), resumed.get(i).loss(), 1e-5 * Math.max(1, Math.abs(straight.get(i).loss())), "step " + (i + 1));
            }
            assertTrue(straight.get(5).loss() != straight.get(0).loss(), "training happened");
        }
    }

    private static Map<String, float[]> snapshot(BolmoModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.params().asMap().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @FunctionalInterface
    interface Runner {
        void run(StageTrainer t, List<Trainer.Step> log);
    }
}
