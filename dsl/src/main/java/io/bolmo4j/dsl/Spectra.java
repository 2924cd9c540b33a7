package io.bolmo4j.dsl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.bolmo.LocalEncoder;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

import java.util.Arrays;

/**
 * Embedding rank spectra (paper Appendix E, Figure 9): the share of variance carried by each singular value of an
 * embedding matrix, against rank / hidden size. A flat spectrum means the table uses its whole width; subword tables
 * of trained LMs concentrate their variance in few directions, byte tables spread it.
 *
 * <p>Singular values come from the eigenvalues of the Gram matrix WᵀW (d × d, so the vocabulary size does not
 * matter): Householder reduction to tridiagonal form, then implicit symmetric QR steps with Wilkinson shifts.
 */
public final class Spectra {

    private Spectra() {}

    /**
     * Input and output embeddings of a subword model (one table when they are tied); rows of the padded vocabulary are
     * left out (they are never trained).
     */
    public static Table of(Olmo olmo) {
        Params p = olmo.model().params();
        int vocab = olmo.tokenizer().vocabSize();
        Table input = of("input embedding", p.get(ParameterLayout.EMBED), vocab);
        return olmo.model().config().tieWordEmbeddings ? input
                : input.append(of("output embedding", olmo.model().outputEmbedding(), vocab));
    }

    /** Bolmo's byte embedding, subword-suffix embedding (when the model has one) and fused byte/boundary LM head. */
    public static Table of(Bolmo bolmo) {
        Params p = bolmo.model().params();
        Table t = of("byte embedding", p.get(LocalEncoder.BYTE_EMBEDDING), -1);
        if (p.contains(LocalEncoder.SUBWORD_EMBEDDING)) {
            t.append(of("subword-suffix embedding", p.get(LocalEncoder.SUBWORD_EMBEDDING), -1));
        }
        return t.append(of("fused LM head", p.get(ParameterLayout.LM_HEAD), -1));
    }

    /** The spectrum of {@code w} [rows, d]: rank, rank / d, explained variance and cumulative explained variance. */
    public static Table of(String name, float[][] w) {
        return table(name, eigenvalues(gram(w)));
    }

    /** Singular values of {@code w} [rows, d], descending (d of them: zeros when rows &lt; d). */
    public static double[] singularValues(float[][] w) {
        return Arrays.stream(eigenvalues(gram(w))).map(v -> Math.sqrt(Math.max(0, v))).toArray();
    }

    /** Cumulative explained variance against rank / d, one line per matrix (paper Figure 9). */
    public static Figure chart(Table spectra) {
        return Charts.lines(spectra, "rank_fraction", "cumulative", "matrix");
    }

    /**
     * The spectrum of the first {@code rows} rows of a parameter (all rows when negative). The Gram matrix is formed
     * by the engine: a real vocabulary has ~100k rows, too many for a Java loop.
     */
    static Table of(String name, NDArray w, int rows) {
        long all = w.getShape().get(0);
        try (NDManager scope = w.getManager().newSubManager()) {
            NDArray x = w.get("0:" + (rows >= 0 && rows < all ? rows : all));
            x.attach(scope); // the Gram matrix and its intermediates follow x into the scope, not the parameters
            NDArray g = x.transpose().matMul(x).toType(DataType.FLOAT64, false);
            int d = (int) g.getShape().get(0);
            double[] flat = g.toDoubleArray();
            double[][] gram = new double[d][];
            for (int i = 0; i < d; i++) {
                gram[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return table(name, eigenvalues(gram));
        }
    }

    /** e_i = s_i² / Σ s_j² and its running sum, with the rank normalised by d. */
    private static Table table(String name, double[] eigenvalues) {
        int d = eigenvalues.length;
        double total = 0;
        for (double v : eigenvalues) {
            total += Math.max(0, v);
        }
        StringColumn matrix = StringColumn.create("matrix");
        IntColumn rank = IntColumn.create("rank");
        DoubleColumn fraction = DoubleColumn.create("rank_fraction"), explained = DoubleColumn.create("explained_variance"),
                cumulative = DoubleColumn.create("cumulative");
        double sum = 0;
        for (int i = 0; i < d; i++) {
            double e = total > 0 ? Math.max(0, eigenvalues[i]) / total : 0;
            sum += e;
            matrix.append(name);
            rank.append(i + 1);
            fraction.append((i + 1) / (double) d);
            explained.append(e);
            cumulative.append(Math.min(1.0, sum));
        }
        return Tables.rounded(Table.create("spectrum", matrix, rank, fraction, explained, cumulative));
    }

    /** WᵀW in double precision. */
    static double[][] gram(float[][] w) {
        if (w.length == 0 || w[0].length == 0) {
            throw new IllegalArgumentException("empty matrix");
        }
        int d = w[0].length;
        double[][] g = new double[d][d];
        for (float[] row : w) {
            for (int i = 0; i < d; i++) {
                double ri = row[i];
                for (int j = i; j < d; j++) {
                    g[i][j] += ri * row[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                g[i][j] = g[j][i];
            }
        }
        return g;
    }

    /** Eigenvalues of a symmetric matrix, descending. O(d³): seconds for d = 2048, about half a minute for 4096. */
    static double[] eigenvalues(double[][] symmetric) {
        int n = symmetric.length;
        double[][] a = Arrays.stream(symmetric).map(double[]::clone).toArray(double[][]::new);
        double[] diag = new double[n], off = new double[Math.max(0, n - 1)];
        tridiagonalize(a, diag, off);
        diagonalize(diag, off);
        Arrays.sort(diag);
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            double t = diag[i];
            diag[i] = diag[j];
            diag[j] = t;
        }
        return diag;
    }

    /**
     * Householder similarity transforms H A H, one per column, zeroing everything below the subdiagonal; on return
     * {@code diag} holds the diagonal and {@code off[i]} the entry coupling i and i + 1. Destroys {@code a}.
     */
    private static void tridiagonalize(double[][] a, double[] diag, double[] off) {
        int n = a.length;
        double[] v = new double[n], w = new double[n];
        for (int k = 0; k + 2 < n; k++) {
            double below = 0; // squared norm of column k under the subdiagonal
            for (int i = k + 2; i < n; i++) {
                below += a[i][k] * a[i][k];
            }
            if (below == 0) {
                continue; // column already tridiagonal
            }
            double x0 = a[k + 1][k];
            double alpha = -Math.copySign(Math.sqrt(x0 * x0 + below), x0); // H x = alpha e1; sign avoids cancellation
            v[k + 1] = x0 - alpha;
            for (int i = k + 2; i < n; i++) {
                v[i] = a[i][k];
            }
            double beta = 2 / (v[k + 1] * v[k + 1] + below); // H = I - beta v vᵀ
            reflect(a, k + 1, v, beta, w);
            a[k + 1][k] = a[k][k + 1] = alpha;
            for (int i = k + 2; i < n; i++) {
                a[i][k] = a[k][i] = 0;
            }
        }
        for (int i = 0; i < n; i++) {
            diag[i] = a[i][i];
            if (i + 1 < n) {
                off[i] = a[i + 1][i];
            }
        }
    }

    /** The trailing block from {@code from} := H B H = B - v wᵀ - w vᵀ, with p = beta B v and w = p - (beta pᵀv / 2) v. */
    private static void reflect(double[][] a, int from, double[] v, double beta, double[] w) {
        int n = a.length;
        double pv = 0;
        for (int i = from; i < n; i++) {
            double s = 0;
            for (int j = from; j < n; j++) {
                s += a[i][j] * v[j];
            }
            w[i] = beta * s;
            pv += w[i] * v[i];
        }
        double half = beta * pv / 2;
        for (int i = from; i < n; i++) {
            w[i] -= half * v[i];
        }
        for (int i = from; i < n; i++) {
            double vi = v[i], wi = w[i];
            double[] row = a[i];
            for (int j = from; j < n; j++) {
                row[j] -= vi * w[j] + wi * v[j];
            }
        }
    }

    /**
     * Drives the symmetric tridiagonal (diag, off) to diagonal form, eigenvalues left in {@code diag}: implicit QR
     * steps on the lowest unreduced block, deflating each off-diagonal once it is negligible next to the whole matrix
     * (the same absolute error the Householder stage already made).
     */
    private static void diagonalize(double[] diag, double[] off) {
        int n = diag.length;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            norm = Math.max(norm, Math.abs(diag[i]) + (i > 0 ? Math.abs(off[i - 1]) : 0) + (i + 1 < n ? Math.abs(off[i]) : 0));
        }
        double tolerance = Math.ulp(1.0) * norm;
        int steps = 0;
        for (int hi = n - 1; hi > 0; ) {
            if (Math.abs(off[hi - 1]) <= tolerance) {
                off[hi - 1] = 0;
                hi--;
                continue;
            }
            int lo = hi - 1;
            while (lo > 0 && Math.abs(off[lo - 1]) > tolerance) {
                lo--;
            }
            if (++steps > 30 * n) {
                throw new IllegalStateException("symmetric QR did not converge in " + steps + " steps");
            }
            qrStep(diag, off, lo, hi);
        }
    }

    /**
     * One implicit QR step on the unreduced block lo..hi, shifted by the eigenvalue of its trailing 2 × 2 closer to its
     * last diagonal entry (Wilkinson): Givens rotations chase the bulge the shift creates down the diagonal.
     */
    private static void qrStep(double[] diag, double[] off, int lo, int hi) {
        double half = (diag[hi - 1] - diag[hi]) / 2, b = off[hi - 1];
        double shift = diag[hi] - b * b / (half + Math.copySign(Math.hypot(half, b), half));
        double x = diag[lo] - shift, z = off[lo];
        for (int k = lo; k < hi; k++) {
            double r = Math.hypot(x, z);
            double c = r == 0 ? 1 : x / r, s = r == 0 ? 0 : z / r; // rotation sending (x, z) to (r, 0)
            if (k > lo) {
                off[k - 1] = r; // the bulge at (k - 1, k + 1) is gone
            }
            double p = diag[k], q = off[k], u = diag[k + 1];
            diag[k] = c * c * p + 2 * c * s * q + s * s * u;
            diag[k + 1] = s * s * p - 2 * c * s * q + c * c * u;
            off[k] = c * s * (u - p) + (c * c - s * s) * q;
            if (k + 1 < hi) {
                x = off[k];
                z = s * off[k + 1]; // the new bulge at (k, k + 2)
                off[k + 1] *= c;
            }
        }
    }
}
