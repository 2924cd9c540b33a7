package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The recurrent state of one mLSTM layer: matrix memory {@code c [B,H,Dqk,Dv]}, normalizer {@code n [B,H,Dqk]} and
 * log-space stabilizer {@code m [B,H]}, all stored <em>stabilized</em> (the true memory is {@code e^m · c}).
 *
 * <p>Ownership: the value never copies or mutates its arrays. A state returned by {@link MLstmCell} or a layer lives
 * in the manager (and the {@code NDScope}, if one is open) where the computation ran. A caller that keeps it beyond
 * that scope calls {@link #keep()} (unregisters it from open scopes) or {@link #attach(NDManager)}, and releases it
 * with {@link #close()}. A state passed as input is only read; the result never aliases it, except that a layer
 * given {@code null} builds its zeros from the input's manager.
 */
public record MLstmState(NDArray c, NDArray n, NDArray m) implements AutoCloseable {

    /** Checks that the three shapes agree. */
    public MLstmState {
        if (c == null || n == null || m == null) {
            throw new IllegalArgumentException("mLSTM state arrays must not be null");
        }
        Shape sc = c.getShape();
        Shape sn = n.getShape();
        Shape sm = m.getShape();
        if (sc.dimension() != 4 || sn.dimension() != 3 || sm.dimension() != 2
                || sc.get(0) != sn.get(0) || sc.get(1) != sn.get(1) || sc.get(2) != sn.get(2)
                || sm.get(0) != sc.get(0) || sm.get(1) != sc.get(1)) {
            throw new IllegalArgumentException("inconsistent mLSTM state shapes: C " + sc + ", n " + sn + ", m " + sm
                    + " (expected [B,H,Dqk,Dv], [B,H,Dqk], [B,H])");
        }
    }

    /** The all-zero initial state (C = 0, n = 0, m = 0), float32, created in {@code manager}. */
    public static MLstmState zeros(NDManager manager, long batch, long heads, long dqk, long dv) {
        if (batch < 1 || heads < 1 || dqk < 1 || dv < 1) {
            throw new IllegalArgumentException("state dims must be positive: B=" + batch + " H=" + heads
                    + " Dqk=" + dqk + " Dv=" + dv);
        }
        return new MLstmState(manager.zeros(new Shape(batch, heads, dqk, dv), DataType.FLOAT32),
                manager.zeros(new Shape(batch, heads, dqk), DataType.FLOAT32),
                manager.zeros(new Shape(batch, heads), DataType.FLOAT32));
    }

    public long batch() {
        return c.getShape().get(0);
    }

    public long heads() {
        return c.getShape().get(1);
    }

    public long qkDim() {
        return c.getShape().get(2);
    }

    public long vDim() {
        return c.getShape().get(3);
    }

    /** Unregisters the arrays from every open {@code NDScope} so they outlive it; returns this. */
    public MLstmState keep() {
        NDScope.unregister(c, n, m);
        return this;
    }

    /** Moves the arrays to {@code manager} (which then closes them); returns this. */
    public MLstmState attach(NDManager manager) {
        c.attach(manager);
        n.attach(manager);
        m.attach(manager);
        return this;
    }

    /** Copies cut off from any autograd graph (for truncated backpropagation through time). */
    public MLstmState stopGradient() {
        return new MLstmState(c.stopGradient(), n.stopGradient(), m.stopGradient());
    }

    @Override
    public void close() {
        c.close();
        n.close();
        m.close();
    }
}
