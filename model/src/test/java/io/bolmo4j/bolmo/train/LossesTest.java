package io.bolmo4j.bolmo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LossesTest {
    private static float kl(NDManager m, double pt, double ps, float tau) {
        NDArray t = Ops.floats(m, new float[] {(float) Math.log(pt)}, 1);
        NDArray s = Ops.floats(m, new float[] {(float) Math.log(ps)}, 1);
        return Losses.tauKl(t, s, tau, Ops.floats(m, new float[] {1}, 1)).getFloat();
    }

    @Test
    void tauKlMatchesSpecI5() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            assertEquals(0.0396182, kl(m, 0.5, 0.25, 5), 2e-6);
            assertEquals(0.0, kl(m, 0.9, 0.9, 5), 1e-7);
            assertEquals(0.00712580, kl(m, 0.01, 0.02, 5), 2e-6);
            assertEquals(1.30525, kl(m, 1e-4, 0.5, 5), 2e-5);
            assertEquals(0.143841, kl(m, 0.5, 0.25, 1), 2e-6);
            assertEquals(0.00311937, kl(m, 0.01, 0.02, 1), 2e-6);
            assertEquals(0.692125, kl(m, 1e-4, 0.5, 1), 2e-5);
        }
    }

    @Test
    void boundaryBceMatchesSpecI4() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            NDArray logp = Ops.floats(m, new float[] {(float) Math.log(0.75), (float) Math.log(0.5), (float) Math.log(0.5)}, 3);
            NDArray one = Ops.floats(m, new float[] {1}, 1);
            assertEquals(0.287682, Losses.boundaryBce(logp.get("0:1"), one, one).getFloat(), 1e-6);
            NDArray y = Ops.floats(m, new float[] {0, 1, 0}, 3);
            NDArray mask = Ops.floats(m, new float[] {0, 1, 1}, 3);
            assertEquals(Math.log(2), Losses.boundaryBce(logp, y, mask).getFloat(), 1e-6);
        }
    }

    @Test
    void log1mexpIsAccurateAtBothEnds() {
        try (NDManager m = Backend.newManager(); NDScope s = new NDScope()) {
            float[] x = {-1e-6f, -1e-3f, -0.5f, -0.7f, -5f, -30f};
            float[] y = Losses.log1mexp(Ops.floats(m, x, x.length)).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.log(-Math.expm1(x[i])), y[i], 1e-5 * Math.max(1, Math.abs(y[i])), "x=" + x[i]);
            }
        }
    }
}
