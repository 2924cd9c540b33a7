package io.bolmo4j.cpu;

import io.bolmo4j.mlstm.LocalConfig;
import io.bolmo4j.mlstm.LocalLayer;
import io.bolmo4j.mlstm.MLstmCell;
import io.bolmo4j.mlstm.MLstmLayer;

import java.util.Arrays;
import java.util.Map;

/**
 * Bolmo's local layers ({@link LocalLayer}: {@code y = x + mLSTM(RMSNorm(x))}, {@code z = y + SwiGLU(RMSNorm(y))}) on
 * the Java engine, with the mLSTM in its recurrent form. Over a sequence the projections of all positions are one
 * product per layer and only the cell's recurrence runs position by position; a decoding step is the same with one
 * position. The recurrence is {@link MLstmCell#step}'s, stabilised in log space, so it equals the DJL path's
 * chunkwise form to rounding.
 */
final class CpuLocalStack {
    private final LocalConfig cfg;
    private final Parallel parallel;
    private final Layer[] layers;

    /** Binds {@code depth} layers under {@code prefix} (e.g. {@code model.local_decoder.layers.}). */
    CpuLocalStack(Weights w, String prefix, int depth, LocalConfig cfg, Parallel parallel) {
        this.cfg = cfg;
        this.parallel = parallel;
        Map<String, long[]> shapes = LocalLayer.tensors(cfg, 1).shapes();
        layers = new Layer[depth];
        for (int i = 0; i < depth; i++) {
            layers[i] = new Layer(w, prefix + i + ".", shapes);
        }
    }

    /**
     * The mLSTM states of every layer after the positions fed so far (zeros at first), stabilised: per head the
     * memory {@code c [Dqk, Dv]}, normaliser {@code n [Dqk]} and log-space stabiliser {@code m}. Fed positions
     * update it in place.
     */
    final class State {
        private final float[][] c = new float[layers.length][cfg.heads() * cfg.qkPerHead() * cfg.vPerHead()];
        private final float[][] n = new float[layers.length][cfg.heads() * cfg.qkPerHead()];
        private final float[][] m = new float[layers.length][cfg.heads()];
    }

    State newState() {
        return new State();
    }

    /** Runs every layer over {@code x [t, d]} in place, continuing from {@code state} and advancing it. */
    void forward(float[] x, int t, State state) {
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(x, t, state.c[i], state.n[i], state.m[i]);
        }
    }

    private final class Layer {
        private final float[] preXlstm;
        private final Matrix q;
        private final Matrix k;
        private final Matrix v;
        private final Matrix ogate;
        private final Matrix igate;
        private final Matrix fgate;
        private final float[] igateBias;
        private final float[] fgateBias;
        private final float[] multiheadNorm;
        private final Matrix outProj;
        private final float[] preFeedForward;
        private final Matrix gate;
        private final Matrix up;
        private final Matrix down;

        Layer(Weights w, String p, Map<String, long[]> shapes) {
            preXlstm = w.vector(shapes, p, "pre_xlstm_layernorm.weight");
            q = w.matrix(shapes, p, "xlstm.q.weight");
            k = w.matrix(shapes, p, "xlstm.k.weight");
            v = w.matrix(shapes, p, "xlstm.v.weight");
            ogate = w.matrix(shapes, p, "xlstm.ogate_preact.weight");
            igate = w.matrix(shapes, p, "xlstm.igate_preact.weight");
            fgate = w.matrix(shapes, p, "xlstm.fgate_preact.weight");
            igateBias = w.vector(shapes, p, "xlstm.igate_preact.bias");
            fgateBias = w.vector(shapes, p, "xlstm.fgate_preact.bias");
            multiheadNorm = w.vector(shapes, p, "xlstm.multihead_norm.weight");
            outProj = w.matrix(shapes, p, "xlstm.out_proj.weight");
            preFeedForward = w.vector(shapes, p, "pre_feedforward_layernorm.weight");
            gate = w.matrix(shapes, p, "mlp.gate_proj.weight");
            up = w.matrix(shapes, p, "mlp.up_proj.weight");
            down = w.matrix(shapes, p, "mlp.down_proj.weight");
        }

        void forward(float[] x, int t, float[] c, float[] n, float[] m) {
            int d = cfg.d();
            float[] u = Vectors.rmsNorm(x, d, preXlstm, cfg.rmsEps());
            float[][] p = Products.of(parallel, u, t, q, k, v, ogate, igate, fgate);
            float[] h = cell(p, t, c, n, m);
            int vd = cfg.vDim(), dv = cfg.vPerHead();
            for (int i = 0; i < t; i++) {
                for (int head = 0; head < cfg.heads(); head++) {
                    Vectors.layerNorm(h, i * vd + head * dv, dv, MLstmLayer.NORM_EPS);
                }
                for (int j = 0; j < vd; j++) {
                    int at = i * vd + j;
                    h[at] = Vectors.sigmoid(p[3][at]) * (h[at] * multiheadNorm[j]);
                }
            }
            float[] out = Products.of(parallel, h, t, outProj);
            for (int i = 0; i < x.length; i++) {
                x[i] += out[i];
            }
            float[][] gu = Products.of(parallel, Vectors.rmsNorm(x, d, preFeedForward, cfg.rmsEps()), t, gate, up);
            Vectors.siluTimes(gu[0], gu[1]);
            float[] f = Products.of(parallel, gu[0], t, down);
            for (int i = 0; i < x.length; i++) {
                x[i] += f[i];
            }
        }

        /**
         * The recurrence over t positions, heads in parallel: returns {@code h [t, vDim]}. Per head, with
         * {@code lf = logσ(f̃)}: {@code m' = max(lf + m, ĩ)}, {@code C' = e^{lf+m−m'}C + e^{ĩ−m'} k vᵀ},
         * {@code n' = e^{lf+m−m'}n + e^{ĩ−m'} k}, {@code h = q̂ᵀC' / (max(|q̂ᵀn'|, e^{−m'}) + eps)}, {@code q̂ = q/√Dqk}.
         */
        private float[] cell(float[][] p, int t, float[] c, float[] n, float[] m) {
            int heads = cfg.heads(), dqk = cfg.qkPerHead(), dv = cfg.vPerHead(), qk = cfg.qkDim(), vd = cfg.vDim();
            float scale = (float) (1.0 / Math.sqrt(dqk));
            float[] h = new float[t * vd];
            parallel.forRange(heads, (long) t * c.length * 8, (from, to) -> {
                float[] num = new float[dv];
                for (int head = from; head < to; head++) {
                    int co = head * dqk * dv, no = head * dqk;
                    for (int i = 0; i < t; i++) {
                        float ig = Vectors.softCap(p[4][i * heads + head] + igateBias[head], MLstmLayer.GATE_SOFT_CAP);
                        float fg = Vectors.softCap(p[5][i * heads + head] + fgateBias[head], MLstmLayer.GATE_SOFT_CAP);
                        float lfm = Vectors.logSigmoid(fg) + m[head];
                        float mNew = Math.max(lfm, ig);
                        float fa = (float) Math.exp(lfm - mNew), ia = (float) Math.exp(ig - mNew);
                        int ko = i * qk + head * dqk, vo = i * vd + head * dv;
                        Arrays.fill(num, 0f);
                        float den = 0;
                        for (int a = 0; a < dqk; a++) {
                            float ka = p[1][ko + a], qa = p[0][ko + a] * scale;
                            int row = co + a * dv;
                            Kernels.decayAdd(c, row, fa, ka * ia, p[2], vo, dv);
                            n[no + a] = ka * ia + n[no + a] * fa;
                            Kernels.axpy(qa, c, row, num, 0, dv);
                            den += qa * n[no + a];
                        }
                        float divisor = Math.max(Math.abs(den), (float) Math.exp(-mNew)) + MLstmCell.EPS;
                        for (int b = 0; b < dv; b++) {
                            h[vo + b] = num[b] / divisor;
                        }
                        m[head] = mNew;
                    }
                }
            });
            return h;
        }
    }
}
