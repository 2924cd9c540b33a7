package io.bolmo4j.mlstm;

import io.bolmo4j.engine.Params;

import java.util.Arrays;

/** Plain-Java double-precision Bolmo local layer (docs/bolmo.md §3.1, §3.2) for batch 1; the independent reference. */
final class ReferenceLocalLayer {
    private ReferenceLocalLayer() {}

    /** x is {@code [S,d]} row-major; returns {@code [S,d]}. */
    static double[] forward(Params p, String prefix, LocalConfig cfg, double[] x, int s) {
        int d = cfg.d();
        int h = cfg.heads();
        int dqk = cfg.qkPerHead();
        int dv = cfg.vPerHead();
        String xl = prefix + "xlstm.";
        ReferenceMLstm[] cells = new ReferenceMLstm[h];
        for (int j = 0; j < h; j++) {
            cells[j] = ReferenceMLstm.zeros(dqk, dv);
        }
        double[] out = new double[s * d];
        for (int t = 0; t < s; t++) {
            double[] xt = Arrays.copyOfRange(x, t * d, (t + 1) * d);
            double[] u = rmsNorm(xt, w(p, prefix + "pre_xlstm_layernorm.weight"), cfg.rmsEps());
            double[] q = matVec(w(p, xl + "q.weight"), u);
            double[] k = matVec(w(p, xl + "k.weight"), u);
            double[] v = matVec(w(p, xl + "v.weight"), u);
            double[] o = matVec(w(p, xl + "ogate_preact.weight"), u);
            double[] ig = add(matVec(w(p, xl + "igate_preact.weight"), u), w(p, xl + "igate_preact.bias"));
            double[] fg = add(matVec(w(p, xl + "fgate_preact.weight"), u), w(p, xl + "fgate_preact.bias"));
            double[] normW = w(p, xl + "multihead_norm.weight");
            double[] gated = new double[cfg.vDim()];
            for (int j = 0; j < h; j++) {
                double[] hj = cells[j].step(Arrays.copyOfRange(q, j * dqk, (j + 1) * dqk),
                        Arrays.copyOfRange(k, j * dqk, (j + 1) * dqk),
                        Arrays.copyOfRange(v, j * dv, (j + 1) * dv),
                        15 * Math.tanh(ig[j] / 15), 15 * Math.tanh(fg[j] / 15));
                double mean = 0;
                for (double e : hj) {
                    mean += e / dv;
                }
                double var = 0;
                for (double e : hj) {
                    var += (e - mean) * (e - mean) / dv;
                }
                for (int c = 0; c < dv; c++) {
                    int idx = j * dv + c;
                    double n = (hj[c] - mean) / Math.sqrt(var + 1e-6) * normW[idx];
                    gated[idx] = n / (1 + Math.exp(-o[idx]));
                }
            }
            double[] y = add(xt, matVec(w(p, xl + "out_proj.weight"), gated));
            double[] z = rmsNorm(y, w(p, prefix + "pre_feedforward_layernorm.weight"), cfg.rmsEps());
            double[] gate = matVec(w(p, prefix + "mlp.gate_proj.weight"), z);
            double[] up = matVec(w(p, prefix + "mlp.up_proj.weight"), z);
            for (int i = 0; i < gate.length; i++) {
                gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            }
            System.arraycopy(add(y, matVec(w(p, prefix + "mlp.down_proj.weight"), gate)), 0, out, t * d, d);
        }
        return out;
    }

    private static double[] w(Params p, String name) {
        return TestArrays.doubles(p.get(name));
    }

    /** {@code W·x} for a row-major {@code [out, in]} weight. */
    private static double[] matVec(double[] weight, double[] x) {
        double[] y = new double[weight.length / x.length];
        for (int r = 0; r < y.length; r++) {
            for (int c = 0; c < x.length; c++) {
                y[r] += weight[r * x.length + c] * x[c];
            }
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = a.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += b[i];
        }
        return y;
    }

    private static double[] rmsNorm(double[] x, double[] weight, double eps) {
        double ms = 0;
        for (double e : x) {
            ms += e * e / x.length;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] / Math.sqrt(ms + eps) * weight[i];
        }
        return y;
    }
}
