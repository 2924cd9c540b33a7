package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BolmoForwardTest {
    static BolmoConfig tiny() {
        return BolmoConfig.fromTeacher(OlmoConfig.of("olmo2", 384, 32, 64, 2, 4, 4, 256), 300)
                .with("num_local_heads", 4).with("local_intermediate_size", 48);
    }

    @Test
    void boundaryPredictorFollowsSpecI4() {
        try (BolmoModel m = BolmoModel.random(tiny(), 1); NDScope s = new NDScope()) {
            // Wq = Wk = I at init, so p_t = (1 − cos(h_t, h_{t+1})) / 2 on the raw vectors.
            int d = 32;
            double[] cosines = {-0.5, 0.0, 0.3, 0.9995};
            float[] h = new float[(cosines.length + 1) * d];
            h[0] = 1f; // h_0 = e_0
            for (int t = 0; t < cosines.length; t++) {
                // h_{t+1} at angle acos(c_t) from h_t: alternate between the e_0 and e_1 planes
                double base = 0;
                for (int s2 = 0; s2 < t; s2++) {
                    base += Math.acos(cosines[s2]);
                }
                double angle = base + Math.acos(cosines[t]);
                h[(t + 1) * d] = (float) Math.cos(angle);
                h[(t + 1) * d + 1] = (float) Math.sin(angle);
            }
            NDArray logp = m.boundaryLogProb(Ops.floats(m.params().manager(), h, 1, cosines.length + 1, d));
            float[] p = logp.exp().toFloatArray();
            assertEquals(1.0, p[0], 1e-6, "position 0 always a boundary");
            assertEquals(0.5, p[1], 1e-5, "cos 0 -> p 0.5");
            assertEquals(0.35, p[2], 1e-5, "cos 0.3 -> p 0.35");
            assertEquals(5e-4, p[3], 1e-6, "cos >= 0.999 clipped to p 5e-4");
            assertEquals(0, p[4], 1e-30, "last position never a boundary");
            boolean[][] b = BolmoModel.boundaries(logp);
            assertTrue(b[0][0]);
            assertFalse(b[0][1], "p = 0.5 is not a boundary (strict >)");
            assertFalse(b[0][2]);
        }
    }

    @Test
    void poolingAndDepoolingFollowTheIndexArithmetic() {
        boolean[][] ends = {
            {true, false, true, false, false, true, false},
            {true, true, false, false, false, false, false},
        };
        Patches p = Patches.of(ends);
        assertEquals(3, p.maxPatches());
        assertEquals(2, p.count(1));
        try (NDManager m = Backend.newManager()) {
            float[] h = new float[2 * 7];
            for (int i = 0; i < h.length; i++) {
                h[i] = i;
            }
            float[] pooled = p.pool(Ops.floats(m, h, 2, 7, 1)).toFloatArray();
            assertArrayEquals(new float[] {0, 2, 5, 7, 8, 8}, pooled, "row 1 pads with its last patch");
            float[] g = {10, 11, 12, 20, 21, 22};
            float[] dep = p.depool(Ops.floats(m, g, 2, 3, 1)).toFloatArray();
            // k_t = (#boundaries at positions <= t) − 1, clamped to the row's patches
            assertArrayEquals(new float[] {10, 10, 11, 11, 11, 12, 12, 20, 21, 21, 21, 21, 21, 21}, dep);
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, p.patchMask(m).toFloatArray());
        }
    }

    @Test
    void forwardProducesFusedLogitsWithPredictedOrGivenBoundaries() {
        try (BolmoModel m = BolmoModel.random(tiny(), 2); NDScope s = new NDScope()) {
            Random r = new Random(3);
            int l = 17;
            long[] bytes = new long[2 * l];
            long[] subs = new long[2 * l];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = i % l == 0 ? 1 : 4 + r.nextInt(256);
                subs[i] = r.nextInt(300);
            }
            NDManager pm = m.params().manager();
            BolmoModel.Forward f = m.forward(Ops.longs(pm, bytes, 2, l), Ops.longs(pm, subs, 2, l), null);
            assertArrayEquals(new long[] {2, l, 520}, f.logits().getShape().getShape());
            assertTrue(f.patches().count(0) >= 1);
            boolean[][] every = new boolean[2][l];
            for (boolean[] row : every) {
                Arrays.fill(row, true);
            }
            BolmoModel.Forward g = m.forward(Ops.longs(pm, bytes, 2, l), Ops.longs(pm, subs, 2, l), every);
            assertEquals(l, g.patches().maxPatches());
        }
    }

    @Test
    void causalPredictorDecidesByteTFromTheBytesUpToT() {
        try (BolmoModel lookahead = BolmoModel.random(tiny(), 1); NDScope s = new NDScope()) {
            BolmoModel causal = new BolmoModel(tiny().with("boundary_predictor_lookahead", 0), lookahead.params()); // same weights
            Random r = new Random(5);
            int l = 12, d = 32;
            float[] h = new float[l * d];
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) r.nextGaussian();
            }
            float[] changed = h.clone();
            for (int i = (l - 1) * d; i < l * d; i++) {
                changed[i] = (float) r.nextGaussian(); // only the last state differs
            }
            NDManager m = lookahead.params().manager();
            float[] c1 = causal.boundaryLogProb(Ops.floats(m, h, 1, l, d)).toFloatArray();
            float[] c2 = causal.boundaryLogProb(Ops.floats(m, changed, 1, l, d)).toFloatArray();
            float[] n1 = lookahead.boundaryLogProb(Ops.floats(m, h, 1, l, d)).toFloatArray();
            float[] n2 = lookahead.boundaryLogProb(Ops.floats(m, changed, 1, l, d)).toFloatArray();
            for (int t = 0; t < l - 1; t++) {
                assertEquals(c1[t], c2[t], 0, "causal decision " + t + " must not see the last state");
            }
            assertTrue(Math.abs(n1[l - 2] - n2[l - 2]) > 1e-4, "the non-causal decision before it does");
            assertTrue(c1[l - 1] != c2[l - 1] && c1[l - 1] > BoundaryPredictor.NEVER, "the last byte can end a patch");
            assertEquals(0f, c1[0], "BOS ends a patch");
            for (int t = 2; t < l; t++) { // both score the pair (h_{t-1}, h_t): causal at t, non-causal at t-1
                assertEquals(n1[t - 1], c1[t], 1e-6, "pair " + t);
            }
        }
    }
}
