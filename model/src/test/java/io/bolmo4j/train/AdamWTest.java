package io.bolmo4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamWTest {
    @Test
    void matchesTheDirectFormulaWithDecayAndClipping() {
        try (NDManager m = Backend.newManager()) {
            float[] w0 = {0.5f, -1f, 2f};
            NDArray w = Ops.floats(m, w0, 3);
            NDArray b = Ops.floats(m, new float[] {0.1f}, 1);
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            AdamW opt = new AdamW(List.of(new AdamW.Group(Map.of("w", w), 1, 0.1), new AdamW.Group(Map.of("b", b), 2, 0)),
                    0.9, 0.95, 1e-8, m);
            double[] ww = {0.5, -1, 2};
            double bb = 0.1;
            double[] mw = new double[3], vw = new double[3];
            double mb = 0, vb = 0;
            for (int s = 1; s <= 4; s++) {
                // loss = sum(w^2 * k) + 3b  -> dL/dw = 2 k w, dL/db = 3
                float[] k = {1, 2, 3};
                try (NDScope sc = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = w.square().mul(Ops.floats(m, k, 3)).sum().add(b.mul(Ops.scalar(b, 3f)).sum());
                    gc.backward(loss);
                }
                double norm = opt.gradNorm();
                double scale = Math.min(1, 1.0 / norm); // clip to global norm 1
                double lr = 0.01;
                opt.step(lr, scale);
                double c1 = 1 - Math.pow(0.9, s), c2 = 1 - Math.pow(0.95, s);
                for (int i = 0; i < 3; i++) {
                    double g = 2 * k[i] * ww[i] * scale;
                    mw[i] = 0.9 * mw[i] + 0.1 * g;
                    vw[i] = 0.95 * vw[i] + 0.05 * g * g;
                    ww[i] = ww[i] * (1 - lr * 0.1) - lr * (mw[i] / c1) / (Math.sqrt(vw[i] / c2) + 1e-8);
                }
                double gb = 3 * scale;
                mb = 0.9 * mb + 0.1 * gb;
                vb = 0.95 * vb + 0.05 * gb * gb;
                bb -= 2 * lr * (mb / c1) / (Math.sqrt(vb / c2) + 1e-8);
                float[] got = w.toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(ww[i], got[i], 1e-5, "w[" + i + "] step " + s);
                }
                assertEquals(bb, b.toFloatArray()[0], 1e-5, "b step " + s);
            }
        }
    }

    @Test
    void stepsDoNotLeakArraysIntoTheParameterManager() {
        try (NDManager m = Backend.newManager()) {
            NDArray w = Ops.floats(m, new float[] {1, 2, 3, 4}, 4);
            w.setRequiresGradient(true);
            AdamW opt = new AdamW(List.of(new AdamW.Group(Map.of("w", w), 1, 0.1)), 0.9, 0.95, 1e-8, Backend.newManager());
            int before = -1;
            for (int s = 0; s < 30; s++) {
                try (NDScope sc = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.square().sum());
                }
                opt.step(1e-3, Math.min(1, 1 / opt.gradNorm()));
                if (s == 5) {
                    before = m.getManagedArrays().size();
                }
            }
            assertEquals(before, m.getManagedArrays().size(), "arrays attached to the parameters' manager must not grow");
        }
    }

    @Test
    void scheduleWarmsUpThenDecaysLinearly() {
        LrSchedule s = LrSchedule.warmupLinear(1e-3, 100, 0.1);
        assertEquals(1e-4, s.at(0), 1e-12);
        assertEquals(1e-3, s.at(9), 1e-12);
        assertEquals(1e-3 * 90 / 90, s.at(10), 1e-12);
        assertEquals(1e-3 * 45 / 90, s.at(55), 1e-12);
        assertEquals(1e-3 / 90, s.at(99), 1e-12);
    }
}
