package io.bolmo4j.cli;

import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import io.bolmo4j.dsl.RunExport;
import io.bolmo4j.export.ExportedRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export-run / import-run on the command line and bolmo.exportRun / Bolmo.importRun in the DSL, on tiny-olmo. */
class ExportRunCommandTest {
    @TempDir
    static Path dir;
    static Path text;

    @BeforeAll
    static void data() throws Exception {
        text = dir.resolve("text.txt");
        Files.writeString(text, "The people of the United States. Call me Ishmael.\n");
    }


    @Test
    void exportRunWritesTheStage2Recipe() throws Exception {
        Path out = dir.resolve("s2");
        String[] r = CliTest.run("export-run", "--engine", "bolmo-core", "--teacher", "tiny-olmo", "--stage", "2", "--data", text.toString(),
                "--out", out.toString(), "--nodes", "2", "--gpus-per-node", "4", "--steps", "100",
                "--target-bytes-per-patch", "6", "--local-decoder-layers", "2");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("not runnable unmodified"), r[1]);
        List<String> overrides = Files.readAllLines(out.resolve("bolmo-core/overrides.txt"));
        assertTrue(overrides.contains("trainer.max_duration.value=100"), overrides.toString());
        assertTrue(overrides.contains("model.local_decoder.n_layers=2"), overrides.toString());
        assertTrue(overrides.contains("train_module.bolmo_config.gradual_boundary_compression_kind=bpe"), overrides.toString());
        assertTrue(Files.readString(out.resolve("launch.sh")).contains("train_stage2.py"));
    }

    @Test
    void badExportSettingsFailInOneLine() {
        String[] r = CliTest.run("export-run", "--teacher", "tiny-olmo", "--stage", "1", "--data", text.toString(),
                "--out", dir.resolve("bad1").toString(), "--target-bytes-per-patch", "6");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("Stage 2 settings") && r[2].lines().count() == 1, r[2]);
        r = CliTest.run("export-run", "--teacher", "tiny-olmo", "--data", text.toString(), "--out", dir.resolve("bad2").toString(),
                "--gpus-per-node", "3");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("batch 8 is not a multiple"), r[2]);
        r = CliTest.run("export-run", "--engine", "megatron", "--teacher", "tiny-olmo", "--data", text.toString(),
                "--out", dir.resolve("bad3").toString());
        assertTrue(r[2].contains("engine must be bolmo-core"), r[2]);
    }

    @Test
    void dslExportsABolmosArchitectureAndImportsTheResult() throws Exception {
        Path runDir = dir.resolve("dsl-run");
        try (Olmo teacher = Olmo.tiny(); Bolmo bolmo = Bolmo.byteify(teacher, a -> a.decoderLayers(2))) {
            ExportedRun exported = bolmo.exportRun(runDir, e -> e.data(text).set("gpusPerNode", 2).options(s -> s.steps(50).set("byteDistillWeight", 0)));
            assertTrue(exported.recipe().dotlist().contains("model.local_decoder.n_layers=2"));
            assertTrue(exported.recipe().unmapped().isEmpty());
            assertEquals(exported.recipe().mappings().size(), RunExport.settings(exported).rowCount());
            // what bolmo-core's converter would write, without the tokenizer: import-run adds the run's
            Path converted = runDir.resolve("checkpoint-hf");
            bolmo.save(converted);
            Files.delete(converted.resolve("tokenizer.json"));
            String[] r = CliTest.run("import-run", converted.toString(), "--out", dir.resolve("imported").toString());
            assertEquals("0", r[0], r[2]);
            try (Bolmo back = Bolmo.importRun(converted, dir.resolve("imported-dsl"))) {
                String text = "Call me Ishmael.";
                assertEquals(bolmo.bitsPerByte(text), back.bitsPerByte(text), 1e-6);
            }
        }
    }
}
