package io.bolmo4j.cli;

import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.train.LrSchedule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stage setting added to the settings records alone (the loop's {@code schedule}, a cosine decay) reaches every
 * front end without a line of its own there: the command lines' {@code --help}, the DSL, and the resume check of a
 * checkpoint.
 */
class ScheduleSettingTest {
    @TempDir
    static Path dir;
    static Path teacher;
    static final List<String> TEXTS = List.of("It was the best of times, it was the worst of times. ".repeat(20));

    @BeforeAll
    static void teacher() {
        teacher = CliTest.tinyOlmo(dir.resolve("olmo"));
    }

    @Test
    void theCommandLinesOfferItWithItsDefault() {
        for (String command : new String[] {"byteify", "stage2", "pretrain", "finetune", "export-run"}) {
            String[] r = CliTest.run(command, "--help");
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].contains("--schedule=<schedule>") && r[1].contains("LINEAR, COSINE"), command + ":\n" + r[1]);
            assertTrue(command.equals("export-run") || r[1].contains("(default LINEAR)"), command + ":\n" + r[1]);
        }
    }

    @Test
    void theDslTrainsWithIt() {
        try (Olmo base = Olmo.load(teacher); Bolmo bolmo = Bolmo.byteify(base)
                .stage1(s -> s.steps(6).set("batch", 2).set("bytesPerExample", 64).texts(TEXTS).set("schedule", "cosine"))) {
            List<Double> lr = bolmo.history().doubleColumn("lr").asList();
            double peak = Stage1.Config.defaults().loop().lr();
            LrSchedule cosine = LrSchedule.warmup(peak, 6, 0.1, LrSchedule.Decay.COSINE);
            for (int s = 0; s < 6; s++) {
                assertEquals(cosine.at(s), lr.get(s), 1e-12 * peak, "step " + (s + 1));
            }
            assertNotEquals(LrSchedule.warmupLinear(peak, 6, 0.1).at(3), lr.get(3), 1e-6, "not the linear decay");
        }
    }

    @Test
    void aCheckpointRecordsItAndRefusesAnotherOnResume() {
        Path ckpt = dir.resolve("stage1_checkpoint");
        try (Olmo base = Olmo.load(teacher)) {
            try (Bolmo bolmo = Bolmo.byteify(base)) {
                IllegalStateException killed = assertThrows(IllegalStateException.class, () -> bolmo.stage1(s -> s.steps(4)
                        .set("batch", 2).set("bytesPerExample", 64).texts(TEXTS).checkpoints(ckpt, 2).onStep(st -> {
                            if (st.step() == 3) {
                                throw new IllegalStateException("killed");
                            }
                        })));
                assertEquals("killed", killed.getMessage());
            }
            assertTrue(Files.exists(ckpt.resolve("state.json")));
            try (Bolmo bolmo = Bolmo.byteify(base)) {
                IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> bolmo.stage1(s -> s.steps(4)
                        .set("batch", 2).set("bytesPerExample", 64).texts(TEXTS).checkpoints(ckpt, 2).set("schedule", "COSINE")));
                assertTrue(refused.getMessage().contains("schedule was LINEAR, now COSINE"), refused.getMessage());
            }
        }
    }
}
