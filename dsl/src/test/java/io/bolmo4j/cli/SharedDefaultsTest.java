package io.bolmo4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.eval.BolmoEval;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line and the DSL share one set of defaults and one held-out selector, so they report the same. */
class SharedDefaultsTest {
    @TempDir
    Path dir;

    private static String defaultOf(String command, String option) {
        CommandSpec spec = new CommandLine(new Main()).getSubcommands().get(command).getCommandSpec();
        return spec.findOption(option).defaultValueString();
    }

    @Test
    void stageOptionsDefaultToTheStageConfigs() {
        Stage1.Config s1 = Stage1.Config.defaults();
        Map<String, Object> byteify = Map.of("--steps", s1.loop().steps(), "--batch", s1.loop().batch(), "--bytes", s1.bytesPerExample(),
                "--lr", s1.loop().lr(), "--encoder-layers", s1.encoderLayers(), "--byte-distill", s1.byteDistillWeight(), "--seed", s1.loop().seed(),
                "--eval-bytes", BolmoEval.DEFAULT_HELD_OUT);
        byteify.forEach((option, value) -> assertEquals(String.valueOf(value), defaultOf("byteify", option), option));
        Stage2.Config s2 = Stage2.Config.defaults();
        Map<String, Object> stage2 = Map.of("--steps", s2.loop().steps(), "--lr", s2.loop().lr(), "--target-bytes-per-patch",
                s2.targetBytesPerPatch(), "--compression-steps", s2.compressionSteps(), "--merges", s2.merges(),
                "--eval-bytes", BolmoEval.DEFAULT_HELD_OUT);
        stage2.forEach((option, value) -> assertEquals(String.valueOf(value), defaultOf("stage2", option), option));
        assertEquals(String.valueOf(BolmoEval.DEFAULT_HELD_OUT), defaultOf("evaluate", "--eval-bytes"));
    }

    @Test
    void byteifyReportsWhatTheDslEvaluatesOnTheSameModelAndBytes() throws Exception {
        Path out = dir.resolve("bolmo");
        int[] code = new int[1];
        String stdout = captured(() -> code[0] = Main.run("byteify", "--teacher", "tiny-olmo", "--out", out.toString(),
                "--steps", "2", "--batch", "2", "--bytes", "64", "--eval-bytes", "1000"));
        assertEquals(0, code[0], stdout);
        JsonObject cli = JsonParser.parseString(Files.readString(out.resolve("stage1_eval.json"))).getAsJsonObject();
        try (Olmo teacher = Olmo.tiny(); Bolmo bolmo = Bolmo.load(out).teacher(teacher)) {
            BolmoEval.Result dsl = bolmo.evaluation(1000);
            assertEquals(dsl.bytes(), cli.get("bytes").getAsLong());
            assertEquals(dsl.boundaryAccuracy(), cli.get("boundary_accuracy").getAsDouble(), 1e-12);
            assertEquals(dsl.bytesPerPatch(), cli.get("bytes_per_patch").getAsDouble(), 1e-12);
            assertEquals(dsl.teacherBitsPerByte(), cli.get("teacher_bits_per_byte").getAsDouble(), 1e-9);
            // the saved weights round-trip through safetensors exactly, so the Bolmo's own figures agree too
            assertEquals(dsl.bolmoBitsPerByte(), cli.get("bits_per_byte").getAsDouble(), 1e-5);
            assertTrue(stdout.contains("held-out: " + dsl.toString().substring(0, 20)), stdout);
        }
        String evaluated = captured(() -> code[0] = Main.run("evaluate", out.toString(), "--teacher", "tiny-olmo",
                "--eval-bytes", "1000", "--json"));
        assertEquals(0, code[0]);
        JsonObject again = JsonParser.parseString(evaluated).getAsJsonObject();
        assertEquals(cli.get("teacher_bits_per_byte").getAsDouble(), again.get("teacher_bits_per_byte").getAsDouble(), 1e-9);
        assertEquals(cli.get("boundary_accuracy").getAsDouble(), again.get("boundary_accuracy").getAsDouble(), 1e-12);
    }

    @Test
    void demoByteifiesTheBuiltInTeacherAndReusesItsModel() {
        Path out = dir.resolve("demo");
        int[] code = new int[1];
        String first = captured(() -> code[0] = Main.run("demo", "--out", out.toString(), "--steps", "2", "--eval-bytes", "400"));
        assertEquals(0, code[0], first);
        for (String part : new String[] {"Byteifying tiny-olmo", "boundary accuracy vs the teacher's tokenizer",
                "bits per byte, teacher", "bits per byte, Bolmo", "patches: ", "tokens:  ", "teacher: ", "Bolmo:   ",
                out.toAbsolutePath().toString(), "./bolmo4j stage2"}) {
            assertTrue(first.contains(part), part + " missing from:\n" + first);
        }
        assertTrue(Files.exists(out.resolve("config.json")));
        String second = captured(() -> code[0] = Main.run("demo", "--out", out.toString(), "--eval-bytes", "400"));
        assertEquals(0, code[0], second);
        assertTrue(second.startsWith("Reusing the Bolmo in " + out), second);
        String report = "Held-out report";
        assertEquals(first.substring(first.indexOf(report)), second.substring(second.indexOf(report)),
                "the reused model reports exactly what the trained one did");
    }

    private static String captured(Runnable r) {
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(out);
        }
        return o.toString(StandardCharsets.UTF_8);
    }
}
