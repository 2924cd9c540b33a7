package io.bolmo4j.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpsTest {
    @Test
    void rmsNormMatchesDirectFormula() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            float[] x = {1, -2, 3, 0.5f};
            float[] w = {1, 2, 0.5f, -1};
            float[] y = Ops.rmsNorm(Ops.floats(m, x, 1, 4), Ops.floats(m, w, 4), 1e-6f).toFloatArray();
            double ms = (1 + 4 + 9 + 0.25) / 4;
            for (int i = 0; i < 4; i++) {
                assertEquals(x[i] / Math.sqrt(ms + 1e-6) * w[i], y[i], 1e-6);
            }
        }
    }

    @Test
    void layerNormIsCentredAndScaled() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            float[] y = Ops.layerNorm(Ops.floats(m, new float[] {1, 2, 3, 6}, 4), 0f).toFloatArray();
            double mean = 3, var = (4 + 1 + 0 + 9) / 4.0;
            assertEquals((1 - mean) / Math.sqrt(var), y[0], 1e-6);
            assertEquals((6 - mean) / Math.sqrt(var), y[3], 1e-6);
        }
    }

    @Test
    void softCapLogSigmoidAndSilu() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            NDArray x = Ops.floats(m, new float[] {-200, -3, 0, 2, 40}, 5);
            float[] cap = Ops.softCap(x, 15).toFloatArray();
            float[] ls = Ops.logSigmoid(x).toFloatArray();
            float[] si = Ops.silu(x).toFloatArray();
            float[] xs = x.toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                assertEquals(15 * Math.tanh(xs[i] / 15), cap[i], 1e-5);
                assertEquals(-Math.log1p(Math.exp(-xs[i])), ls[i], 1e-5 * Math.max(1, Math.abs(xs[i])));
                assertEquals(xs[i] / (1 + Math.exp(-xs[i])), si[i], 1e-5);
            }
        }
    }

    @Test
    void scalarsAreCachedAndCopiesOwnTheirData() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            NDArray x = Ops.floats(m, new float[] {1, 2}, 2);
            assertSame(Ops.scalar(x, 0.5f), Ops.scalar(x, 0.5f));
            float[] src = {3, 4};
            NDArray y = Ops.floats(m, src, 2);
            src[0] = 99;
            assertArrayEquals(new float[] {3, 4}, y.toFloatArray());
        }
    }

    @Test
    void unknownDeviceIsAClearError() {
        assertThrows(IllegalArgumentException.class,
                () -> Backend.resolve("tpu", Engine.getEngine("PyTorch")));
    }
}
