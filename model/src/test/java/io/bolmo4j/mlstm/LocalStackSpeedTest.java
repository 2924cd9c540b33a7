package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Params;
import io.bolmo4j.mlstm.MLstmCell.Form;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import static io.bolmo4j.mlstm.TestArrays.assertClose;

/**
 * Tokens/s of a one-layer {@link LocalStack} forward (d = 256, 4 heads, S = 512, B = 1) in each form. Opt-in with
 * {@code -Dbolmo4j.bench=true}; it also checks that the three forms agree on the benchmark input.
 */
class LocalStackSpeedTest {
    @Test
    void tokensPerSecondByForm() {
        Assumptions.assumeTrue(Boolean.getBoolean("bolmo4j.bench"), "set -Dbolmo4j.bench=true to run");
        LocalConfig cfg = new LocalConfig(256, 4, 352, 1e-6f);
        int s = 512;
        try (Params p = LocalStackTest.params(cfg, 1, 3); NDManager m = Backend.newManager()) {
            LocalStack stack = new LocalStack(p, "model.local_decoder.layers.", 1, cfg, new MLstmCell());
            NDArray x = TestArrays.f32(m, TestArrays.gaussian(new Random(1), s * cfg.d(), 0, 1), 1, s, cfg.d());
            Map<Form, double[]> outputs = new EnumMap<>(Form.class);
            for (Form form : Form.values()) {
                double[] ms = new double[5];
                for (int rep = 0; rep < ms.length; rep++) {
                    try (NDScope scope = new NDScope()) {
                        long t0 = System.nanoTime();
                        NDArray out = stack.forward(x, null, form).output();
                        double[] values = TestArrays.doubles(out);
                        ms[rep] = (System.nanoTime() - t0) / 1e6;
                        outputs.put(form, values);
                    }
                }
                double[] timed = Arrays.copyOfRange(ms, 1, ms.length);
                Arrays.sort(timed);
                double median = (timed[1] + timed[2]) / 2;
                System.out.printf("LocalStack d=256 H=4 S=%d %s on %s: median %.1f ms, %.0f tokens/s%n",
                        s, form, Backend.device(), median, s / (median / 1000));
            }
            assertClose(outputs.get(Form.RECURRENT), outputs.get(Form.PARALLEL), 1e-4, "parallel");
            assertClose(outputs.get(Form.RECURRENT), outputs.get(Form.CHUNKWISE), 1e-4, "chunkwise");
        }
    }
}
