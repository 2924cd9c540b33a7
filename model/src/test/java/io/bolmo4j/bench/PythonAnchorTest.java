package io.bolmo4j.bench;

import io.bolmo4j.olmo.PyTorchReferenceTest;
import io.bolmo4j.oracle.Python311;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Stage 1 anchor script runs in a Python with torch (here Debian's, as a venv's bin/python) and reports its rate. */
class PythonAnchorTest {
    @TempDir
    Path dir;

    private static PythonAnchor.Stage1Sizes tiny(int kvHeads) {
        return tiny(kvHeads, 2);
    }

    private static PythonAnchor.Stage1Sizes tiny(int kvHeads, int batch) {
        return new PythonAnchor.Stage1Sizes(64, 2, kvHeads, 2, 96, 300, 4, 64, 1, 2, 1, 5.0, batch, 96, 3.0);
    }

    @Test
    void theStage1StepRunsAtTheGivenSizesOrSaysWhyNot() throws Exception {
        assumeTrue(PyTorchReferenceTest.torchAvailable(), "/usr/bin/python3 with torch not installed");
        Files.createSymbolicLink(Files.createDirectories(dir.resolve("bin")).resolve("python"), Path.of("/usr/bin/python3"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Optional<PythonAnchor> anchor = PythonAnchor.find(dir, out);
        assertTrue(anchor.isPresent(), bytes.toString(StandardCharsets.UTF_8));

        Optional<PythonAnchor.Stage1Step> step = anchor.get().stage1(tiny(1), 1, 1, out);
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(step.isPresent(), log);
        assertTrue(step.get().bytesPerSecond() > 0 && Double.isFinite(step.get().bytesPerSecond()), log);
        assertTrue(log.contains("pytorch anchor           : torch "), log);

        bytes.reset();
        // 2 query heads cannot share 3 key/value heads: the script fails, and the figure is skipped with one line
        assertFalse(anchor.get().stage1(tiny(3), 1, 1, out).isPresent());
        String failed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, failed.strip().lines().count(), failed);
        assertTrue(failed.startsWith("python anchor            : stage1_step.py failed: "), failed);
    }

    @Test
    void torch2CountsTheStepsMatrixProductsInProportionToTheBatch() throws Exception {
        Python311.assume("torch");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Path venv = Python311.python().orElseThrow().getParent().getParent();
        PythonAnchor anchor = PythonAnchor.find(venv, out).orElseThrow(() -> new AssertionError(bytes));
        // 96 bytes in two chunks of 64: the carried mLSTM state is part of the step
        double one = anchor.stage1(tiny(1, 1), 1, 1, out).orElseThrow(() -> new AssertionError(bytes)).gflopPerStep();
        double two = anchor.stage1(tiny(1, 2), 1, 1, out).orElseThrow(() -> new AssertionError(bytes)).gflopPerStep();
        assertTrue(one > 0 && Double.isFinite(one), bytes.toString(StandardCharsets.UTF_8));
        assertEquals(2 * one, two, 1e-9 * two, "every product has the batch as a dimension");
    }
}
