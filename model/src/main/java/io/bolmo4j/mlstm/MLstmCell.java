package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The multi-head mLSTM cell (docs/bolmo.md §4) in three mathematically equal forms, all differentiable through DJL autograd.
 *
 * <p>Per head, with {@code lf = logσ(f̃)}, the recurrence is {@code m' = max(lf + m, ĩ)},
 * {@code C' = e^{lf+m−m'}C + e^{ĩ−m'} k vᵀ}, {@code n' = e^{lf+m−m'}n + e^{ĩ−m'} k} and
 * {@code h = q̂ᵀC' / (max(|q̂ᵀn'|, e^{−m'}) + eps)} with {@code q̂ = q/√Dqk}. Unrolled from a state (C0, n0, m0) with
 * {@code b_t = Σ_{s≤t} lf_s} this gives the parallel form used by {@link Form#PARALLEL} and, chunk by chunk, by
 * {@link Form#CHUNKWISE}:
 * <pre>
 *   logD_ts = b_t − b_s + ĩ_s (s ≤ t),   m_t = max(max_s logD_ts, b_t + m0)
 *   A_ts = (q̂_t·k_s)·e^{logD_ts − m_t},   g_t = e^{b_t + m0 − m_t}       (weight of the carried state)
 *   h_t = (Σ_s A_ts v_s + g_t·q̂_tᵀC0) / (max(|Σ_s A_ts + g_t·q̂_t·n0|, e^{−m_t}) + eps)
 * </pre>
 * Because m_t is exactly the recurrence's stabilizer, the forms agree to rounding, eps term included.
 *
 * <p>Shapes: q, k {@code [B,H,S,Dqk]}, v {@code [B,H,S,Dv]}, gates {@code [B,H,S]} (soft-capped pre-activations),
 * h {@code [B,H,S,Dv]}. Inputs may be float32 or float64 (the latter for gradient checks). Results live where the
 * ops put them (see {@link MLstmState} for ownership). The cell is stateless and thread-safe.
 */
public final class MLstmCell {
    /** Denominator epsilon of the mLSTM kernels. */
    public static final float EPS = 1e-6f;
    /** Chunk size of the reference kernels' inference mode. */
    public static final int DEFAULT_CHUNK_SIZE = 64;

    /** How a sequence is evaluated. */
    public enum Form {
        /** One quadratic pass over the whole sequence: O(S²) memory, fewest ops. */
        PARALLEL,
        /** The parallel form within chunks of the cell's chunk size, the state carried between chunks. */
        CHUNKWISE,
        /** One recurrent step per position. */
        RECURRENT
    }

    /** The hidden outputs {@code h [B,H,S,Dv]} and the state after the last position. */
    public record Result(NDArray h, MLstmState state) {}

    private final int chunkSize;

    /** A cell whose chunkwise form uses {@link #DEFAULT_CHUNK_SIZE}. */
    public MLstmCell() {
        this(DEFAULT_CHUNK_SIZE);
    }

    /** A cell whose chunkwise form uses chunks of {@code chunkSize} positions (the last chunk may be shorter). */
    public MLstmCell(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
        }
        this.chunkSize = chunkSize;
    }

    /**
     * Runs the cell over a sequence.
     *
     * @param initial the state before the first position, or null for zeros
     * @param form how to evaluate; with S = 1 every form runs one recurrent step
     */
    public Result forward(NDArray q, NDArray k, NDArray v, NDArray igate, NDArray fgate, MLstmState initial, Form form) {
        checkShapes(q.getShape(), k.getShape(), v.getShape(), igate.getShape(), fgate.getShape(), initial);
        if (form == null) {
            throw new IllegalArgumentException("form must not be null");
        }
        long seq = q.getShape().get(2);
        if (seq == 1) {
            Result r = step(q.squeeze(2), k.squeeze(2), v.squeeze(2), igate.squeeze(2), fgate.squeeze(2), initial);
            return new Result(r.h().expandDims(2), r.state());
        }
        return switch (form) {
            case PARALLEL -> parallel(q, k, v, igate, fgate, initial);
            case CHUNKWISE -> chunkwise(q, k, v, igate, fgate, initial);
            case RECURRENT -> recurrent(q, k, v, igate, fgate, initial);
        };
    }

    /**
     * One recurrent step (decoding): q, k {@code [B,H,Dqk]}, v {@code [B,H,Dv]}, gates {@code [B,H]}; returns
     * h {@code [B,H,Dv]} and the new state.
     *
     * @param state the state before this position, or null for zeros
     */
    public Result step(NDArray q, NDArray k, NDArray v, NDArray igate, NDArray fgate, MLstmState state) {
        checkShapes(oneStep(q.getShape()), oneStep(k.getShape()), oneStep(v.getShape()), oneStep(igate.getShape()),
                oneStep(fgate.getShape()), state);
        NDArray lfm = Ops.logSigmoid(fgate);
        if (state != null) {
            lfm = lfm.add(state.m());
        }
        NDArray mNew = lfm.maximum(igate);
        NDArray fa = lfm.sub(mNew).exp().expandDims(2);
        NDArray ia = igate.sub(mNew).exp().expandDims(2);
        NDArray c = k.expandDims(3).mul(v.expandDims(2)).mul(ia.expandDims(3));
        NDArray n = k.mul(ia);
        if (state != null) {
            c = c.add(state.c().mul(fa.expandDims(3)));
            n = n.add(state.n().mul(fa));
        }
        NDArray qs = scaled(q);
        NDArray num = qs.expandDims(2).matMul(c).squeeze(2);
        NDArray den = qs.mul(n).sum(new int[] {2});
        return new Result(normalise(num, den, mNew, 2), new MLstmState(c, n, mNew));
    }

    private Result parallel(NDArray q, NDArray k, NDArray v, NDArray ig, NDArray fg, MLstmState init) {
        long seq = q.getShape().get(2);
        NDArray b = Ops.logSigmoid(fg).cumSum(2);
        NDArray logD = b.expandDims(3).sub(b.sub(ig).expandDims(2)).add(causalMask(q, seq));
        NDArray stateLog = init == null ? b : b.add(init.m().expandDims(2));
        NDArray m = logD.max(new int[] {3}).maximum(stateLog);
        NDArray qs = scaled(q);
        NDArray a = qs.matMul(k.transpose(0, 1, 3, 2)).mul(logD.sub(m.expandDims(3)).exp());
        NDArray num = a.matMul(v);
        NDArray den = a.sum(new int[] {3});
        if (init != null) {
            NDArray g = stateLog.sub(m).exp();
            num = num.add(qs.matMul(init.c()).mul(g.expandDims(3)));
            den = den.add(qs.matMul(init.n().expandDims(3)).squeeze(3).mul(g));
        }
        NDArray h = normalise(num, den, m, 3);

        String last = ":, :, " + (seq - 1);
        NDArray bLast = b.get(last);
        NDArray mLast = m.get(last);
        NDArray w = bLast.sub(mLast).expandDims(2).sub(b).add(ig).exp();
        NDArray kw = k.mul(w.expandDims(3));
        NDArray c = kw.transpose(0, 1, 3, 2).matMul(v);
        NDArray n = kw.sum(new int[] {2});
        if (init != null) {
            NDArray decay = bLast.add(init.m()).sub(mLast).exp().expandDims(2);
            c = c.add(init.c().mul(decay.expandDims(3)));
            n = n.add(init.n().mul(decay));
        }
        return new Result(h, new MLstmState(c, n, mLast));
    }

    private Result chunkwise(NDArray q, NDArray k, NDArray v, NDArray ig, NDArray fg, MLstmState init) {
        long seq = q.getShape().get(2);
        if (seq <= chunkSize) {
            return parallel(q, k, v, ig, fg, init);
        }
        long whole = seq / chunkSize * chunkSize;
        if (whole == seq) {
            return chunks(q, k, v, ig, fg, init);
        }
        String head = ":, :, 0:" + whole, tail = ":, :, " + whole + ":";
        Result r = chunks(q.get(head), k.get(head), v.get(head), ig.get(head), fg.get(head), init);
        Result t = parallel(q.get(tail), k.get(tail), v.get(tail), ig.get(tail), fg.get(tail), r.state());
        return new Result(NDArrays.concat(new NDList(r.h(), t.h()), 2), t.state());
    }

    /**
     * The chunkwise form over whole chunks, as in the xLSTM kernels: each chunk's own contribution to its end state
     * and its parallel form run for all chunks in one batch; only the states entering the chunks are carried from
     * chunk to chunk, a few small ops each. A missing initial state is the zero state with m = 0, which is what the
     * parallel form assumes.
     */
    private Result chunks(NDArray q, NDArray k, NDArray v, NDArray ig, NDArray fg, MLstmState init) {
        Shape sh = q.getShape();
        long bs = sh.get(0), heads = sh.get(1), count = sh.get(2) / chunkSize, dqk = sh.get(3), dv = v.getShape().get(3);
        NDArray qc = q.reshape(bs, heads, count, chunkSize, dqk);
        NDArray kc = k.reshape(bs, heads, count, chunkSize, dqk);
        NDArray vc = v.reshape(bs, heads, count, chunkSize, dv);
        NDArray igc = ig.reshape(bs, heads, count, chunkSize);
        NDArray b = Ops.logSigmoid(fg.reshape(bs, heads, count, chunkSize)).cumSum(3);
        // each chunk's keys weighted into the chunk's end state, stabilised by their own maximum
        NDArray bLast = b.get(":, :, :, " + (chunkSize - 1));
        NDArray w = bLast.expandDims(3).sub(b).add(igc);
        NDArray mw = w.max(new int[] {3});
        NDArray kw = kc.mul(w.sub(mw.expandDims(3)).exp().expandDims(4));
        NDArray cOwn = kw.transpose(0, 1, 2, 4, 3).matMul(vc);
        NDArray nOwn = kw.sum(new int[] {3});

        NDManager nd = q.getManager();
        NDArray c = init != null ? init.c() : nd.zeros(new Shape(bs, heads, dqk, dv), q.getDataType());
        NDArray n = init != null ? init.n() : nd.zeros(new Shape(bs, heads, dqk), q.getDataType());
        NDArray m = init != null ? init.m() : nd.zeros(new Shape(bs, heads), q.getDataType());
        NDList cIn = new NDList(), nIn = new NDList(), mIn = new NDList();
        for (long j = 0; j < count; j++) {
            cIn.add(c);
            nIn.add(n);
            mIn.add(m);
            String at = ":, :, " + j;
            NDArray carried = bLast.get(at).add(m);
            NDArray mwj = mw.get(at);
            NDArray mNew = carried.maximum(mwj);
            NDArray decay = carried.sub(mNew).exp().expandDims(2);
            NDArray fresh = mwj.sub(mNew).exp().expandDims(2);
            c = c.mul(decay.expandDims(3)).add(cOwn.get(at).mul(fresh.expandDims(3)));
            n = n.mul(decay).add(nOwn.get(at).mul(fresh));
            m = mNew;
        }

        NDArray logD = b.expandDims(4).sub(b.sub(igc).expandDims(3)).add(causalMask(q, chunkSize));
        NDArray stateLog = b.add(NDArrays.stack(mIn, 2).expandDims(3));
        NDArray mt = logD.max(new int[] {4}).maximum(stateLog);
        NDArray qs = scaled(qc);
        NDArray a = qs.matMul(kc.transpose(0, 1, 2, 4, 3)).mul(logD.sub(mt.expandDims(4)).exp());
        NDArray g = stateLog.sub(mt).exp();
        NDArray num = a.matMul(vc).add(qs.matMul(NDArrays.stack(cIn, 2)).mul(g.expandDims(4)));
        NDArray den = a.sum(new int[] {4}).add(qs.matMul(NDArrays.stack(nIn, 2).expandDims(4)).squeeze(4).mul(g));
        NDArray h = normalise(num, den, mt, 4).reshape(bs, heads, count * chunkSize, dv);
        return new Result(h, new MLstmState(c, n, m));
    }

    private Result recurrent(NDArray q, NDArray k, NDArray v, NDArray ig, NDArray fg, MLstmState init) {
        long seq = q.getShape().get(2);
        List<NDArray> hs = new ArrayList<>();
        MLstmState state = init;
        for (long t = 0; t < seq; t++) {
            String idx = ":, :, " + t;
            Result r = step(q.get(idx), k.get(idx), v.get(idx), ig.get(idx), fg.get(idx), state);
            hs.add(r.h());
            state = r.state();
        }
        return new Result(NDArrays.stack(new NDList(hs), 2), state);
    }

    /** {@code num / (max(|den|, e^{−m}) + eps)}, den and m broadcast along {@code axis} of num. */
    private static NDArray normalise(NDArray num, NDArray den, NDArray m, int axis) {
        return num.div(den.abs().maximum(m.neg().exp()).add(EPS).expandDims(axis));
    }

    private static NDArray scaled(NDArray q) {
        long dqk = q.getShape().get(q.getShape().dimension() - 1);
        return q.mul(Ops.scalar(q, (float) (1.0 / Math.sqrt(dqk))));
    }

    /** {@code [S,S]}: 0 where s ≤ t (row t, column s), −∞ above the diagonal; in q's dtype. */
    private static NDArray causalMask(NDArray like, long seq) {
        int s = Math.toIntExact(seq);
        float[] mask = new float[s * s];
        for (int t = 0; t < s; t++) {
            Arrays.fill(mask, t * s + t + 1, (t + 1) * s, Float.NEGATIVE_INFINITY);
        }
        NDArray f = Ops.floats(like.getManager(), mask, seq, seq);
        return like.getDataType() == DataType.FLOAT32 ? f : f.toType(like.getDataType(), false);
    }

    /** A step's shape {@code [B,H,...]} as a one-position sequence {@code [B,H,1,...]} (rank < 2 stays invalid). */
    private static Shape oneStep(Shape s) {
        return s.dimension() < 2 ? s : s.slice(0, 2).addAll(new Shape(1)).addAll(s.slice(2));
    }

    private static void checkShapes(Shape sq, Shape sk, Shape sv, Shape si, Shape sf, MLstmState init) {
        boolean ok = sq.dimension() == 4 && sk.equals(sq) && sv.dimension() == 4
                && sv.get(0) == sq.get(0) && sv.get(1) == sq.get(1) && sv.get(2) == sq.get(2)
                && si.equals(sq.slice(0, 3)) && sf.equals(sq.slice(0, 3)) && sq.get(2) >= 1;
        if (!ok) {
            throw new IllegalArgumentException("mLSTM shapes must be q,k [B,H,S,Dqk], v [B,H,S,Dv], gates [B,H,S] "
                    + "(for step: without S); got q " + sq + ", k " + sk + ", v " + sv + ", igate " + si + ", fgate " + sf);
        }
        if (init != null && (init.batch() != sq.get(0) || init.heads() != sq.get(1)
                || init.qkDim() != sq.get(3) || init.vDim() != sv.get(3))) {
            throw new IllegalArgumentException("initial state C " + init.c().getShape()
                    + " does not match q " + sq + " / v " + sv);
        }
    }
}
