package io.bolmo4j.dsl;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embedding spectra against an independent eigen-solver, and the charts' traces. */
class AnalysesTest {
    /** Cyclic Jacobi rotations: an independent route to the eigenvalues of a small symmetric matrix. */
    static double[] jacobiEigenvalues(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = m[i].clone();
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double offNorm = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    offNorm += a[p][q] * a[p][q];
                    if (Math.abs(a[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
            if (offNorm < 1e-26) {
                break;
            }
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = a[i][i];
        }
        Arrays.sort(ev);
        return ev;
    }

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

    @Test
    void singularValuesMatchAnIndependentSolver() {
        float[][] w = random(40, 12, 1);
        double[] s = Spectra.singularValues(w);
        double[] ev = jacobiEigenvalues(Spectra.gram(w));
        for (int i = 0; i < s.length; i++) {
            double expected = Math.sqrt(ev[ev.length - 1 - i]);
            assertEquals(expected, s[i], 1e-9 * expected, "singular value " + i);
        }
        double frob = 0;
        for (float[] row : w) {
            for (float v : row) {
                frob += v * v;
            }
        }
        assertEquals(frob, Arrays.stream(s).map(x -> x * x).sum(), 1e-9 * frob);
    }

    @Test
    void aRankThreeMatrixHasAllItsVarianceInThreeDirections() {
        float[][] a = random(30, 3, 2), b = random(3, 16, 3);
        float[][] w = new float[30][16];
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 16; j++) {
                for (int k = 0; k < 3; k++) {
                    w[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        Table t = Spectra.of("low rank", w);
        assertEquals(16, t.rowCount());
        assertEquals(1.0, t.doubleColumn("cumulative").get(2), 1e-9);
        assertEquals(0.0, t.doubleColumn("explained_variance").get(3), 1e-9);
        assertEquals(3 / 16.0, t.doubleColumn("rank_fraction").get(2), 1e-12);
    }

    @Test
    void spectraOfTheBuiltinTeacher() {
        try (Olmo olmo = Olmo.tiny()) {
            Table t = Spectra.of(olmo);
            assertEquals(2 * 256, t.rowCount());
            assertEquals(java.util.List.of("input embedding", "output embedding"), t.stringColumn("matrix").unique().asList());
            DoubleColumn e = t.doubleColumn("explained_variance");
            for (int i = 1; i < 256; i++) {
                assertTrue(e.get(i) <= e.get(i - 1) + 1e-12, "explained variance is non-increasing at " + i);
            }
            assertEquals(1.0, t.doubleColumn("cumulative").get(255), 1e-6);
            Figure f = Spectra.chart(t);
            assertEquals(2, f.getTraces().length);
        }
    }

    @Test
    void chartsHaveOneTracePerGroup() {
        Table h = Table.create("history", StringColumn.create("stage", "stage1", "stage1", "stage2"),
                IntColumn.create("step", 1, 2, 1), DoubleColumn.create("loss", 3.0, 2.5, 2.0),
                DoubleColumn.create("distill", new double[] {1.0, 0.9, Double.NaN}));
        Figure loss = Charts.history(h, "loss");
        assertEquals(2, loss.getTraces().length);
        assertEquals(1, Charts.history(h, "distill").getTraces().length, "stage 2 has only a missing value: no line");
        Figure ref = Charts.history(h, "loss", 1.5, "teacher");
        assertEquals(3, ref.getTraces().length);
        assertTrue(ref.asJavascript("d1").contains("teacher"));
        Table runs = Table.create("runs", StringColumn.create("run", "a", "b"), DoubleColumn.create("bpb", 1.2, 1.4),
                DoubleColumn.create("bpp", 3.1, 5.0));
        assertTrue(Charts.scatter(runs, "bpp", "bpb", "run").asJavascript("d2").contains("\"a\""));
        assertEquals(2, Charts.bars(runs, "run", "bpb", "bpp").getTraces().length);
    }
}
