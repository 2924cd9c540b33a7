package io.bolmo4j.dsl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.engine.Params;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * Embedding rank spectra (paper Appendix E, Figure 9): the share of variance carried by each singular value of an
 * embedding matrix, against rank / hidden size. Flat spectra mean the table uses its whole width; subword tables of
 * trained LMs concentrate variance in few directions, byte tables spread it.
 */
public final class Spectra {
    private Spectra() {}

    /** Input and output embeddings of an OLMo (padded vocabulary rows left out). */
    public static Table of(Olmo olmo) {
        Params p = olmo.model().params();
        int rows = olmo.tokenizer().vocabSize();
        Table t = of("input embedding", p.asMap().get("model.embed_tokens.weight"), rows);
        return t.append(of("output embedding", p.asMap().get("lm_head.weight"), rows));
    }

    /** Bolmo's byte embedding, subword-suffix embedding (when present) and fused byte/boundary head. */
    public static Table of(Bolmo bolmo) {
        var m = bolmo.model().params().asMap();
        Table t = of("byte embedding", m.get("model.local_encoder.byte_embedding.weight"), -1);
        NDArray sub = m.get("model.local_encoder.subword_embedding.weight");
        if (sub != null) {
            t.append(of("subword-suffix embedding", sub, -1));
        }
        return t.append(of("byte head", m.get("lm_head.weight"), -1));
    }

    /** The spectrum of {@code w} [rows, d]: rank, rank / d, explained variance and its running sum. */
    public static Table of(String name, float[][] w) {
        return table(name, eigenvaluesOfGram(gram(w)));
    }

    /** The spectrum of the first {@code rows} rows of a parameter (all rows when negative). */
    static Table of(String name, NDArray w, int rows) {
        NDArray x = rows >= 0 && rows < w.getShape().get(0) ? w.get("0:" + rows) : w;
        NDArray g = x.transpose().matMul(x).toType(DataType.FLOAT64, false); // the Gram matrix, on the engine
        int d = (int) g.getShape().get(0);
        double[] flat = g.toDoubleArray();
        double[][] gram = new double[d][d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(flat, i * d, gram[i], 0, d);
        }
        if (x != w) {
            x.close();
        }
        g.close();
        return table(name, eigenvaluesOfGram(gram));
    }

    /** Singular values of {@code w}, descending. */
    public static double[] singularValues(float[][] w) {
        double[] ev = eigenvaluesOfGram(gram(w));
        double[] s = new double[ev.length];
        for (int i = 0; i < ev.length; i++) {
            s[i] = Math.sqrt(Math.max(0, ev[i]));
        }
        return s;
    }

    /** Cumulative explained variance against rank / d, one line per matrix. */
    public static Figure chart(Table spectra) {
        return Charts.lines(spectra, "rank_fraction", "cumulative", "matrix");
    }

    private static Table table(String name, double[] eigen) {
        int d = eigen.length;
        double total = 0;
        for (double v : eigen) {
            total += Math.max(0, v);
        }
        StringColumn matrix = StringColumn.create("matrix");
        IntColumn rank = IntColumn.create("rank");
        DoubleColumn fraction = DoubleColumn.create("rank_fraction"), explained = DoubleColumn.create("explained_variance"),
                cumulative = DoubleColumn.create("cumulative");
        double sum = 0;
        for (int i = 0; i < d; i++) {
            double e = total > 0 ? Math.max(0, eigen[i]) / total : 0;
            sum += e;
            matrix.append(name);
            rank.append(i + 1);
            fraction.append((i + 1) / (double) d);
            explained.append(e);
            cumulative.append(Math.min(1.0, sum));
        }
        return Table.create("spectrum", matrix, rank, fraction, explained, cumulative);
    }

    static double[][] gram(float[][] w) {
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

    /**
     * Eigenvalues of a symmetric matrix, descending: Householder reduction to tridiagonal form, then the implicit QL
     * iteration with Wilkinson-style shifts (O(d^3), fine for hidden sizes of a few thousand).
     */
    static double[] eigenvaluesOfGram(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
        }
        double[] diag = new double[n], off = new double[n];
        tridiagonalize(a, diag, off);
        implicitQl(diag, off);
        java.util.Arrays.sort(diag);
        for (int i = 0; i < n / 2; i++) {
            double t = diag[i];
            diag[i] = diag[n - 1 - i];
            diag[n - 1 - i] = t;
        }
        return diag;
    }

    /** A := H A H column by column; leaves the diagonal in {@code diag} and off[i] coupling i and i+1. */
    private static void tridiagonalize(double[][] a, double[] diag, double[] off) {
        int n = a.length;
        double[] v = new double[n], p = new double[n];
        for (int k = 0; k < n - 2; k++) {
            double norm = 0;
            for (int i = k + 1; i < n; i++) {
                norm += a[i][k] * a[i][k];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                continue;
            }
            double alpha = a[k + 1][k] > 0 ? -norm : norm;
            double vnorm = 0;
            for (int i = k + 1; i < n; i++) {
                v[i] = a[i][k] - (i == k + 1 ? alpha : 0);
                vnorm += v[i] * v[i];
            }
            vnorm = Math.sqrt(vnorm);
            if (vnorm == 0) {
                continue;
            }
            for (int i = k + 1; i < n; i++) {
                v[i] /= vnorm;
            }
            double kk = 0; // p = A v, K = v.p, w = p - K v, A -= 2 (v w' + w v')
            for (int i = k + 1; i < n; i++) {
                double s = 0;
                for (int j = k + 1; j < n; j++) {
                    s += a[i][j] * v[j];
                }
                p[i] = s;
                kk += v[i] * s;
            }
            for (int i = k + 1; i < n; i++) {
                p[i] -= kk * v[i];
            }
            for (int i = k + 1; i < n; i++) {
                for (int j = k + 1; j < n; j++) {
                    a[i][j] -= 2 * (v[i] * p[j] + p[i] * v[j]);
                }
            }
            a[k + 1][k] = a[k][k + 1] = alpha;
            for (int i = k + 2; i < n; i++) {
                a[i][k] = a[k][i] = 0;
            }
        }
        for (int i = 0; i < n; i++) {
            diag[i] = a[i][i];
            off[i] = i + 1 < n ? a[i + 1][i] : 0;
        }
    }

    /** Eigenvalues of the symmetric tridiagonal (diag, off) in place into {@code diag}. */
    private static void implicitQl(double[] d, double[] e) {
        int n = d.length;
        for (int l = 0; l < n; l++) {
            for (int iter = 0; iter < 60; iter++) {
                int m = l;
                for (; m < n - 1; m++) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= 1e-15 * dd) {
                        break;
                    }
                }
                if (m == l) {
                    break;
                }
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1, c = 1, p = 0;
                int i = m - 1;
                boolean deflated = false;
                for (; i >= l; i--) {
                    double f = s * e[i], b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                }
                if (deflated) {
                    continue;
                }
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }
}
