package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.mlstm.MLstmCell.Form;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static io.bolmo4j.mlstm.TestArrays.assertClose;
import static io.bolmo4j.mlstm.TestArrays.doubles;
import static io.bolmo4j.mlstm.TestArrays.f32;
import static io.bolmo4j.mlstm.TestArrays.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MLstmCellTest {
    private static final int S = 6;
    private static final int DQK = 4;
    private static final int DV = 3;

    /** docs/bolmo.md §11, I-1: inputs; {@code constantIgate} replaces ĩ when not NaN. */
    private static NDArray[] vectorI1(NDManager m, double constantIgate) {
        double[] q = new double[S * DQK];
        double[] k = new double[S * DQK];
        double[] v = new double[S * DV];
        double[] ig = new double[S];
        double[] fg = new double[S];
        for (int t = 0; t < S; t++) {
            for (int j = 0; j < DQK; j++) {
                q[t * DQK + j] = Math.sin(0.7 * t + 0.3 * j + 0.1);
                k[t * DQK + j] = Math.cos(0.5 * t - 0.2 * j + 0.2);
            }
            for (int j = 0; j < DV; j++) {
                v[t * DV + j] = Math.sin(0.9 * t + 0.4 * j) + 0.1 * j;
            }
            double li = -3 + 5.0 * t / (S - 1);
            double lf = 1 + 3.0 * t / (S - 1);
            ig[t] = Double.isNaN(constantIgate) ? 15 * Math.tanh(li / 15) : constantIgate;
            fg[t] = 15 * Math.tanh(lf / 15);
        }
        return new NDArray[] {f64(m, q, 1, 1, S, DQK), f64(m, k, 1, 1, S, DQK), f64(m, v, 1, 1, S, DV),
            f64(m, ig, 1, 1, S), f64(m, fg, 1, 1, S)};
    }

    @Test
    void specVectorI1RecurrentRowsAndFinalState() {
        double[] expectedH = {
            0, 0.023998, 0.044981, 0.174787, 0.273902, 0.334477, 0.517265, 0.578713, 0.558816,
            0.227450, 0.250849, 0.239314, -0.221253, -0.171088, -0.100171, -1.087045, -1.017528, -0.771578};
        try (NDManager m = Backend.newManager()) {
            NDArray[] in = vectorI1(m, Double.NaN);
            MLstmCell cell = new MLstmCell(4);
            MLstmCell.Result rec = cell.forward(in[0], in[1], in[2], in[3], in[4], null, Form.RECURRENT);
            double[] h = doubles(rec.h());
            for (int i = 0; i < expectedH.length; i++) {
                assertEquals(expectedH[i], h[i], 1e-6, "h[" + i + "]");
            }
            assertEquals(1.988232, rec.state().m().toDoubleArray()[0], 1e-6);
            assertClose(new double[] {-1.10281, -0.901418, -0.66409, -0.400287}, doubles(rec.state().n()), 1e-5, "n");
            // The parallel and chunkwise forms carry the m0 term, so in float64 they equal the recurrence to rounding.
            for (Form form : new Form[] {Form.PARALLEL, Form.CHUNKWISE}) {
                MLstmCell.Result r = cell.forward(in[0], in[1], in[2], in[3], in[4], null, form);
                assertClose(doubles(rec.h()), doubles(r.h()), 1e-13, form + " h");
                assertClose(doubles(rec.state().c()), doubles(r.state().c()), 1e-13, form + " C");
                assertClose(doubles(rec.state().m()), doubles(r.state().m()), 1e-13, form + " m");
            }
        }
    }

    @Test
    void specVectorI1InputGateAtInitBias() {
        try (NDManager m = Backend.newManager()) {
            NDArray[] in = vectorI1(m, -10);
            for (Form form : Form.values()) {
                double[] h = doubles(new MLstmCell().forward(in[0], in[1], in[2], in[3], in[4], null, form).h());
                double[] expected = {0, 2.10384e-05, 3.943396e-05, 5.794841e-05, 1.107535e-04, 1.482757e-04};
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], h[i], 1e-5 * Math.abs(expected[i]) + 1e-11, form + " h[" + i + "]");
                }
            }
        }
    }

    /** Random inputs for B=2, H=2 with a non-zero initial state; float32 unless {@code f64}. */
    static final class Inputs {
        final int b = 2, h = 2, s, dqk = 5, dv = 6;
        final double[] q, k, v, ig, fg, c0, n0, m0;

        Inputs(long seed, int s) {
            this.s = s;
            Random rng = new Random(seed);
            q = TestArrays.gaussian(rng, b * h * s * dqk, 0, 1);
            k = TestArrays.gaussian(rng, b * h * s * dqk, 0, 1);
            v = TestArrays.gaussian(rng, b * h * s * dv, 0, 1);
            ig = TestArrays.softCapped(rng, b * h * s, -1, 4);
            fg = TestArrays.softCapped(rng, b * h * s, 3, 2);
            c0 = TestArrays.gaussian(rng, b * h * dqk * dv, 0, 1);
            n0 = TestArrays.gaussian(rng, b * h * dqk, 0, 1);
            m0 = TestArrays.gaussian(rng, b * h, 0, 2);
        }

        NDArray[] arrays(NDManager m, boolean f64) {
            double[][] d = {q, k, v, ig, fg, c0, n0, m0};
            long[][] shapes = {{b, h, s, dqk}, {b, h, s, dqk}, {b, h, s, dv}, {b, h, s}, {b, h, s},
                {b, h, dqk, dv}, {b, h, dqk}, {b, h}};
            NDArray[] out = new NDArray[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = f64 ? f64(m, d[i], shapes[i]) : f32(m, d[i], shapes[i]);
            }
            return out;
        }
    }

    static MLstmCell.Result run(MLstmCell cell, NDArray[] a, Form form) {
        return cell.forward(a[0], a[1], a[2], a[3], a[4], new MLstmState(a[5], a[6], a[7]), form);
    }

    @Test
    void recurrentFormMatchesPlainJavaReferenceFromNonZeroState() {
        Inputs in = new Inputs(11, 9);
        try (NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            MLstmCell.Result r = run(new MLstmCell(), in.arrays(m, false), Form.RECURRENT);
            double[] h = doubles(r.h());
            double[] c = doubles(r.state().c());
            double[] mm = doubles(r.state().m());
            for (int bh = 0; bh < in.b * in.h; bh++) {
                double[][] c0 = new double[in.dqk][in.dv];
                for (int i = 0; i < in.dqk; i++) {
                    System.arraycopy(in.c0, (bh * in.dqk + i) * in.dv, c0[i], 0, in.dv);
                }
                double[] n0 = Arrays.copyOfRange(in.n0, bh * in.dqk, (bh + 1) * in.dqk);
                ReferenceMLstm ref = new ReferenceMLstm(c0, n0, in.m0[bh]);
                for (int t = 0; t < in.s; t++) {
                    int qo = (bh * in.s + t) * in.dqk;
                    int vo = (bh * in.s + t) * in.dv;
                    double[] want = ref.step(Arrays.copyOfRange(in.q, qo, qo + in.dqk),
                            Arrays.copyOfRange(in.k, qo, qo + in.dqk),
                            Arrays.copyOfRange(in.v, vo, vo + in.dv), in.ig[bh * in.s + t], in.fg[bh * in.s + t]);
                    assertClose(want, Arrays.copyOfRange(h, vo, vo + in.dv), 2e-5, "h bh=" + bh + " t=" + t);
                }
                assertEquals(ref.m, mm[bh], 1e-5);
                for (int i = 0; i < in.dqk; i++) {
                    assertClose(ref.c[i], Arrays.copyOfRange(c, (bh * in.dqk + i) * in.dv,
                            (bh * in.dqk + i + 1) * in.dv), 2e-5, "C");
                }
            }
        }
    }

    @Test
    void allFormsAndChunkSizesAgreeFromNonZeroState() {
        Inputs in = new Inputs(7, 37);
        try (NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            NDArray[] a = in.arrays(m, false);
            MLstmCell.Result ref = run(new MLstmCell(), a, Form.RECURRENT);
            check(ref, run(new MLstmCell(), a, Form.PARALLEL), "parallel");
            for (int chunk : new int[] {1, 5, 8, 16, 36, 37, 64}) {
                check(ref, run(new MLstmCell(chunk), a, Form.CHUNKWISE), "chunkwise " + chunk);
            }
        }
    }

    private static void check(MLstmCell.Result want, MLstmCell.Result got, String what) {
        assertClose(want.h(), got.h(), 2e-5, what + " h");
        assertClose(want.state().c(), got.state().c(), 2e-5, what + " C");
        assertClose(want.state().n(), got.state().n(), 2e-5, what + " n");
        assertClose(want.state().m(), got.state().m(), 2e-6, what + " m");
    }

    @Test
    void stepEqualsOnePositionForward() {
        Inputs in = new Inputs(3, 1);
        try (NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            NDArray[] a = in.arrays(m, false);
            MLstmCell cell = new MLstmCell();
            MLstmCell.Result seq = run(cell, a, Form.PARALLEL);
            MLstmCell.Result one = cell.step(a[0].squeeze(2), a[1].squeeze(2), a[2].squeeze(2), a[3].squeeze(2),
                    a[4].squeeze(2), new MLstmState(a[5], a[6], a[7]));
            assertClose(seq.h().squeeze(2), one.h(), 0, "h");
            assertClose(seq.state().c(), one.state().c(), 0, "C");
        }
    }

    @Test
    void keptStateOutlivesItsScopeAndContinuesTheSequence() {
        Inputs in = new Inputs(4, 10);
        try (NDManager m = Backend.newManager(); NDScope outer = new NDScope()) {
            NDArray[] a = in.arrays(m, false);
            MLstmCell cell = new MLstmCell();
            MLstmCell.Result whole = run(cell, a, Form.PARALLEL);
            MLstmState kept;
            try (NDScope inner = new NDScope()) {
                kept = cell.forward(a[0].get(":, :, :6"), a[1].get(":, :, :6"), a[2].get(":, :, :6"),
                        a[3].get(":, :, :6"), a[4].get(":, :, :6"), new MLstmState(a[5], a[6], a[7]), Form.PARALLEL)
                        .state().keep();
            }
            try (MLstmState state = kept) {
                MLstmCell.Result rest = cell.forward(a[0].get(":, :, 6:"), a[1].get(":, :, 6:"), a[2].get(":, :, 6:"),
                        a[3].get(":, :, 6:"), a[4].get(":, :, 6:"), state.stopGradient(), Form.RECURRENT);
                assertClose(whole.h().get(":, :, 6:"), rest.h(), 2e-5, "continued h");
                assertClose(whole.state().c(), rest.state().c(), 2e-5, "continued C");
            }
        }
    }

    @Test
    void badShapesAreClearErrors() {
        try (NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            NDArray[] a = new Inputs(1, 4).arrays(m, false);
            MLstmCell cell = new MLstmCell();
            assertThrows(IllegalArgumentException.class,
                    () -> cell.forward(a[0], a[2], a[2], a[3], a[4], null, Form.PARALLEL));
            assertThrows(IllegalArgumentException.class,
                    () -> cell.forward(a[0], a[1], a[2], a[5], a[4], null, Form.PARALLEL));
            assertThrows(IllegalArgumentException.class,
                    () -> cell.forward(a[0], a[1], a[2], a[3], a[4], MLstmState.zeros(m, 2, 2, 6, 6), Form.PARALLEL));
            assertThrows(IllegalArgumentException.class,
                    () -> cell.forward(a[0], a[1], a[2], a[3], a[4], null, null));
            assertThrows(IllegalArgumentException.class, () -> new MLstmState(a[5], a[6], a[6]));
            assertThrows(IllegalArgumentException.class, () -> new MLstmCell(0));
        }
    }
}
