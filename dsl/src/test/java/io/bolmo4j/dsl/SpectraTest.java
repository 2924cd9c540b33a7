package io.bolmo4j.dsl;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Singular values against independent routes (power iteration, Jacobi rotations), and the spectra of real models. */
class SpectraTest {
    static float[][] random(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[][] w = new float[rows][cols];
        for (float[] row : w) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return w;
    }

    static double[] times(double[][] g, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += g[i][j] * v[j];
            }
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Eigenvalues of a positive semi-definite matrix, descending: power iteration, then deflation G -= λ v vᵀ. */
    static double[] powerIteration(double[][] gram) {
        int n = gram.length;
        double[][] g = new double[n][];
        for (int i = 0; i < n; i++) {
            g[i] = gram[i].clone();
        }
        double[] out = new double[n];
        Random r = new Random(7);
        for (int k = 0; k < n; k++) {
            double[] v = r.doubles(n).toArray();
            double lambda = 0;
            for (int it = 0; it < 200_000; it++) {
                double[] gv = times(g, v);
                double norm = Math.sqrt(dot(gv, gv));
                if (norm == 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    gv[i] /= norm;
                }
                double next = dot(gv, times(g, gv)); // Rayleigh quotient
                v = gv;
                if (Math.abs(next - lambda) <= 1e-15 * Math.abs(next)) {
                    lambda = next;
                    break;
                }
                lambda = next;
            }
            out[k] = lambda;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    g[i][j] -= lambda * v[i] * v[j];
                }
            }
        }
        return out;
    }

    /** Cyclic Jacobi rotations on a symmetric matrix: eigenvalues, descending. */
    static double[] jacobi(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = m[i].clone();
        }
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.copySign(1, theta) / (Math.abs(theta) + Math.hypot(theta, 1));
                    double c = 1 / Math.hypot(t, 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double kp = a[k][p], kq = a[k][q];
                        a[k][p] = c * kp - s * kq;
                        a[k][q] = s * kp + c * kq;
                    }
                    for (int k = 0; k < n; k++) {
                        double pk = a[p][k], qk = a[q][k];
                        a[p][k] = c * pk - s * qk;
                        a[q][k] = s * pk + c * qk;
                    }
                }
            }
            if (off == 0) {
                break;
            }
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = -a[i][i];
        }
        Arrays.sort(ev);
        return Arrays.stream(ev).map(x -> -x).toArray();
    }

    @Test
    void diagonalMatrix() {
        float[][] w = new float[7][5];
        float[] diagonal = {3, 5, 0, 1, 4};
        for (int i = 0; i < 5; i++) {
            w[i][i] = diagonal[i];
        }
        assertArrayEquals(new double[] {5, 4, 3, 1, 0}, Spectra.singularValues(w), 1e-12);
    }

    @Test
    void randomMatrixAgainstPowerIteration() {
        float[][] w = random(40, 12, 1);
        double[] s = Spectra.singularValues(w);
        double[] ev = powerIteration(Spectra.gram(w));
        for (int i = 0; i < s.length; i++) {
            double expected = Math.sqrt(ev[i]);
            assertEquals(expected, s[i], 1e-6 * expected, "singular value " + i);
        }
        double frobenius = 0;
        for (float[] row : w) {
            for (float v : row) {
                frobenius += v * v;
            }
        }
        assertEquals(frobenius, Arrays.stream(s).map(x -> x * x).sum(), 1e-9 * frobenius);
        Random r = new Random(8);
        for (int k = 0; k < 1000; k++) { // s_1 = max ‖Wv‖ over unit v: no random direction stretches more
            double[] v = r.doubles(12, -1, 1).toArray(), wv = new double[40];
            double norm = Math.sqrt(dot(v, v));
            for (int i = 0; i < 40; i++) {
                for (int j = 0; j < 12; j++) {
                    wv[i] += w[i][j] * v[j] / norm;
                }
            }
            assertTrue(Math.sqrt(dot(wv, wv)) <= s[0] * (1 + 1e-12));
        }
    }

    @Test
    void widerMatricesAgainstJacobi() {
        for (float[][] w : List.of(random(300, 96, 2), random(50, 80, 3))) {
            double[] s = Spectra.singularValues(w), ev = jacobi(Spectra.gram(w));
            double top = s[0];
            for (int i = 0; i < s.length; i++) {
                assertEquals(Math.sqrt(Math.max(0, ev[i])), s[i], 1e-6 * top, "singular value " + i);
            }
        }
    }

    @Test
    void repeatedSingularValues() {
        float[][] w = new float[64][32]; // two stacked copies of 2·I: every singular value is sqrt(8)
        for (int i = 0; i < 32; i++) {
            w[i][i] = 2;
            w[32 + i][i] = 2;
        }
        double[] expected = new double[32];
        Arrays.fill(expected, Math.sqrt(8));
        assertArrayEquals(expected, Spectra.singularValues(w), 1e-12);
    }

    @Test
    void aRankThreeMatrixHasAllItsVarianceInThreeDirections() {
        float[][] a = random(30, 3, 4), b = random(3, 16, 5);
        float[][] w = new float[30][16];
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 16; j++) {
                for (int k = 0; k < 3; k++) {
                    w[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        Table t = Spectra.of("low rank", w);
        assertEquals(List.of("matrix", "rank", "rank_fraction", "explained_variance", "cumulative"), t.columnNames());
        assertEquals(16, t.rowCount());
        assertEquals(1.0, t.doubleColumn("cumulative").get(2), 1e-9);
        assertEquals(0.0, t.doubleColumn("explained_variance").get(3), 1e-9);
        assertEquals(3 / 16.0, t.doubleColumn("rank_fraction").get(2), 1e-12);
        assertEquals(1, t.intColumn("rank").get(0));
    }

    @Test
    void spectraOfTheBuiltinTeacherAndItsBolmo() {
        try (Olmo olmo = Olmo.tiny()) {
            Table t = Spectra.of(olmo);
            assertEquals(List.of("input embedding", "output embedding"),
                    t.stringColumn("matrix").asList().stream().distinct().toList());
            assertEquals(2 * 256, t.rowCount());
            assertWellFormed(t);
            assertEquals(2, Spectra.chart(t).getTraces().length);

            float[] flat = olmo.model().params().get("model.embed_tokens.weight").toFloatArray();
            float[][] used = new float[olmo.tokenizer().vocabSize()][256]; // the padded rows left out
            for (int r = 0; r < used.length; r++) {
                System.arraycopy(flat, r * 256, used[r], 0, 256);
            }
            DoubleColumn expected = Spectra.of("input embedding", used).doubleColumn("explained_variance");
            for (int i = 0; i < 256; i++) {
                assertEquals(expected.get(i), t.doubleColumn("explained_variance").get(i), 1e-6, "rank " + (i + 1));
            }

            try (Bolmo bolmo = Bolmo.byteify(olmo)) {
                Table b = Spectra.of(bolmo);
                List<String> matrices = b.stringColumn("matrix").asList().stream().distinct().toList();
                assertEquals("byte embedding", matrices.get(0));
                assertEquals("fused LM head", matrices.get(matrices.size() - 1));
                assertEquals(256 * matrices.size(), b.rowCount());
                assertWellFormed(b);
            }
        }
    }

    /** Each matrix: explained variance non-increasing, cumulative ending at 1. */
    static void assertWellFormed(Table spectra) {
        for (String m : spectra.stringColumn("matrix").unique()) {
            Table one = spectra.where(spectra.stringColumn("matrix").isEqualTo(m));
            DoubleColumn e = one.doubleColumn("explained_variance");
            for (int i = 1; i < e.size(); i++) {
                assertTrue(e.get(i) <= e.get(i - 1) + 1e-12, m + ": explained variance increases at rank " + (i + 1));
            }
            assertEquals(1.0, one.doubleColumn("cumulative").get(one.rowCount() - 1), 1e-9, m);
            assertEquals(1.0, one.doubleColumn("rank_fraction").get(one.rowCount() - 1), 1e-12, m);
        }
    }
}
