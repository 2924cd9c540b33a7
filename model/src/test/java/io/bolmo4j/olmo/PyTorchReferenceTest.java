package io.bolmo4j.olmo;

import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compares our logits with an independent PyTorch forward of the same checkpoint directory
 * ({@code src/test/python/olmo_reference.py}, Debian's python3-torch). Skipped where PyTorch is absent, except in CI.
 */
public class PyTorchReferenceTest {
    @TempDir
    Path dir;

    public static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            boolean ok = p.waitFor() == 0;
            if (!ok && "true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must install python3-torch (see .ci/run)");
            }
            if (!ok) {
                System.err.println("SKIPPED the PyTorch reference checks: /usr/bin/python3 has no torch"
                        + " (sudo apt-get install python3-torch, or run .ci/run, which installs it)");
            }
            return ok;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private void check(OlmoConfig cfg, boolean bf16, int length) throws Exception {
        Path ckpt = dir.resolve(cfg.modelType + (bf16 ? "-bf16" : ""));
        int[] ids = new Random(length).ints(length, 0, cfg.vocabSize).toArray();
        try (OlmoModel saved = OlmoModel.random(cfg, length)) {
            OlmoCheckpoint.save(saved, ckpt, bf16, Map.of());
        }
        Path out = ckpt.resolve("java-logits.safetensors");
        try (OlmoModel m = OlmoCheckpoint.load(ckpt)) {
            float[][] l = m.logits(ids);
            float[] flat = new float[ids.length * cfg.vocabSize];
            for (int t = 0; t < ids.length; t++) {
                System.arraycopy(l[t], 0, flat, t * cfg.vocabSize, cfg.vocabSize);
            }
            Safetensors.write(out, Map.of("logits", HostTensor.f32(flat, ids.length, cfg.vocabSize)), Map.of());
        }
        String idList = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Process p = new ProcessBuilder("/usr/bin/python3", "src/test/python/olmo_reference.py", ckpt.toString(), idList,
                out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), cfg + ": " + log);
        System.out.println(cfg.modelType + (bf16 ? " bf16" : "") + " T=" + length + ": " + log.trim());
    }

    @Test
    void olmo2AndOlmo3LogitsMatchPyTorch() throws Exception {
        assumeTrue(torchAvailable(), "/usr/bin/python3 with torch not installed");
        check(OlmoConfig.of("olmo2", 300, 64, 96, 3, 4, 2, 512), false, 40);
        check(OlmoConfig.of("olmo2", 300, 64, 96, 2, 4, 4, 512), true, 33);
        // Olmo 3 with the default layer types (3 sliding : 1 full) and a window shorter than the sequence.
        check(OlmoConfig.of("olmo3", 256, 64, 96, 4, 4, 4, 512).with("sliding_window", 7), false, 48);
        check(OlmoConfig.of("olmo3", 256, 64, 96, 4, 8, 2, 512).with("sliding_window", 5)
                .with("layer_types", List.of(OlmoConfig.FULL, OlmoConfig.SLIDING, OlmoConfig.SLIDING, OlmoConfig.FULL)), true, 300);
    }
}
