package io.bolmo4j.mlstm;

/**
 * Plain-Java double-precision mLSTM recurrence for one head, written directly from docs/bolmo.md §4; the independent
 * reference for the DJL forms.
 */
final class ReferenceMLstm {
    final double[][] c;
    final double[] n;
    double m;
    private final double scale;

    ReferenceMLstm(double[][] c0, double[] n0, double m0) {
        c = new double[c0.length][];
        for (int i = 0; i < c0.length; i++) {
            c[i] = c0[i].clone();
        }
        n = n0.clone();
        m = m0;
        scale = 1 / Math.sqrt(n0.length);
    }

    static ReferenceMLstm zeros(int dqk, int dv) {
        return new ReferenceMLstm(new double[dqk][dv], new double[dqk], 0);
    }

    /** Advances one position and returns h_t. */
    double[] step(double[] q, double[] k, double[] v, double ig, double fg) {
        double lf = -Math.log1p(Math.exp(-fg));
        double mNew = Math.max(lf + m, ig);
        double fa = Math.exp(lf + m - mNew);
        double ia = Math.exp(ig - mNew);
        int dv = v.length;
        double[] num = new double[dv];
        double den = 0;
        for (int i = 0; i < k.length; i++) {
            n[i] = fa * n[i] + ia * k[i];
            den += q[i] * scale * n[i];
            for (int j = 0; j < dv; j++) {
                c[i][j] = fa * c[i][j] + ia * k[i] * v[j];
                num[j] += q[i] * scale * c[i][j];
            }
        }
        m = mNew;
        double norm = Math.max(Math.abs(den), Math.exp(-mNew)) + 1e-6;
        for (int j = 0; j < dv; j++) {
            num[j] /= norm;
        }
        return num;
    }
}
