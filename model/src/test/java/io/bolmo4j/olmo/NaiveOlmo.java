package io.bolmo4j.olmo;

import io.bolmo4j.engine.Params;

import io.bolmo4j.io.ParameterLayout;
import java.util.List;

/**
 * An independent, loop-by-loop double-precision OLMo 2/3 forward written from docs/bolmo.md §1.5, used only to check
 * the tensor implementation. Slow and obvious on purpose.
 */
final class NaiveOlmo {
    private final OlmoConfig c;
    private final Params p;

    NaiveOlmo(OlmoConfig c, Params p) {
        this.c = c;
        this.p = p;
    }

    private double[] w(String name) {
        float[] f = p.get(name).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** y = W x for W [out, in] row-major. */
    private static double[] mv(double[] w, double[] x, int out) {
        int in = x.length;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < in; i++) {
                s += w[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private double[] rms(double[] x, double[] weight) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        ms /= x.length;
        double r = 1 / Math.sqrt(ms + c.rmsNormEps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * r * weight[i];
        }
        return y;
    }

    private double[] rope(double[] v, int pos) {
        int hd = v.length, half = hd / 2;
        double[] out = new double[hd];
        for (int j = 0; j < half; j++) {
            double invFreq = 1.0 / Math.pow(c.ropeTheta, 2.0 * j / hd);
            double a = pos * invFreq;
            out[j] = v[j] * Math.cos(a) - v[j + half] * Math.sin(a);
            out[j + half] = v[j + half] * Math.cos(a) + v[j] * Math.sin(a);
        }
        return out;
    }

    double[][] logits(int[] ids) {
        int t = ids.length, d = c.hiddenSize, hd = c.headDim, h = c.numAttentionHeads, kvh = c.numKeyValueHeads;
        double[] emb = w(ParameterLayout.EMBED);
        double[][] x = new double[t][d];
        for (int i = 0; i < t; i++) {
            System.arraycopy(emb, ids[i] * d, x[i], 0, d);
        }
        for (int layer = 0; layer < c.numHiddenLayers; layer++) {
            String pre = ParameterLayout.layer(layer);
            double[] wq = w(pre + "self_attn.q_proj.weight"), wk = w(pre + "self_attn.k_proj.weight"),
                    wv = w(pre + "self_attn.v_proj.weight"), wo = w(pre + "self_attn.o_proj.weight");
            double[] qn = w(pre + "self_attn.q_norm.weight"), kn = w(pre + "self_attn.k_norm.weight");
            double[][] q = new double[t][], k = new double[t][], v = new double[t][];
            for (int i = 0; i < t; i++) {
                q[i] = rms(mv(wq, x[i], h * hd), qn);
                k[i] = rms(mv(wk, x[i], kvh * hd), kn);
                v[i] = mv(wv, x[i], kvh * hd);
            }
            int window = c.isSliding(layer) ? c.slidingWindow : Integer.MAX_VALUE;
            double[][] attnOut = new double[t][h * hd];
            for (int head = 0; head < h; head++) {
                int g = head / (h / kvh);
                for (int i = 0; i < t; i++) {
                    double[] qi = rope(slice(q[i], head * hd, hd), i);
                    double[] scores = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        if (i - j >= window) {
                            scores[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double[] kj = rope(slice(k[j], g * hd, hd), j);
                        double s = 0;
                        for (int e = 0; e < hd; e++) {
                            s += qi[e] * kj[e];
                        }
                        scores[j] = s / Math.sqrt(hd);
                        max = Math.max(max, scores[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= i; j++) {
                        z += Math.exp(scores[j] - max);
                    }
                    for (int j = 0; j <= i; j++) {
                        double a = Math.exp(scores[j] - max) / z;
                        for (int e = 0; e < hd; e++) {
                            attnOut[i][head * hd + e] += a * v[j][g * hd + e];
                        }
                    }
                }
            }
            double[] pa = w(pre + "post_attention_layernorm.weight"), pf = w(pre + "post_feedforward_layernorm.weight");
            double[] gate = w(pre + "mlp.gate_proj.weight"), up = w(pre + "mlp.up_proj.weight"), down = w(pre + "mlp.down_proj.weight");
            for (int i = 0; i < t; i++) {
                double[] a = rms(mv(wo, attnOut[i], d), pa);
                for (int e = 0; e < d; e++) {
                    x[i][e] += a[e];
                }
                double[] gg = mv(gate, x[i], c.intermediateSize), uu = mv(up, x[i], c.intermediateSize);
                for (int e = 0; e < gg.length; e++) {
                    gg[e] = gg[e] / (1 + Math.exp(-gg[e])) * uu[e];
                }
                double[] f = rms(mv(down, gg, d), pf);
                for (int e = 0; e < d; e++) {
                    x[i][e] += f[e];
                }
            }
        }
        double[] norm = w(ParameterLayout.NORM), head = w(ParameterLayout.LM_HEAD);
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            out[i] = mv(head, rms(x[i], norm), c.vocabSize);
        }
        return out;
    }

    private static double[] slice(double[] a, int from, int len) {
        double[] r = new double[len];
        System.arraycopy(a, from, r, 0, len);
        return r;
    }

    static OlmoConfig olmo3(int window, List<String> types) {
        return OlmoConfig.of("olmo3", 67, 32, 48, types.size(), 4, 2, 128)
                .with("sliding_window", window).with("layer_types", types);
    }
}
