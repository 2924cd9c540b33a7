package io.bolmo4j.mlstm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.mlstm.MLstmCell.Form;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.bolmo4j.mlstm.TestArrays.assertClose;
import static io.bolmo4j.mlstm.TestArrays.doubles;

/**
 * Autograd through every form: float64 central differences of a scalar loss that reads h and the final state, and
 * parallel-vs-chunkwise gradient equality in float32.
 */
class MLstmGradientTest {
    private static final String[] NAMES = {"q", "k", "v", "igate", "fgate", "C0", "n0", "m0"};

    /** {@code Σ h·Rh + Σ C·Rc + Σ n·Rn + Σ m·Rm} with fixed random weights R (same dtype as the inputs). */
    private static NDArray loss(MLstmCell cell, NDArray[] a, Form form, NDArray[] weights) {
        MLstmCell.Result r = MLstmCellTest.run(cell, a, form);
        return r.h().mul(weights[0]).sum()
                .add(r.state().c().mul(weights[1]).sum())
                .add(r.state().n().mul(weights[2]).sum())
                .add(r.state().m().mul(weights[3]).sum());
    }

    private static NDArray[] lossWeights(NDManager m, MLstmCellTest.Inputs in, boolean f64) {
        Random rng = new Random(99);
        long[][] shapes = {{in.b, in.h, in.s, in.dv}, {in.b, in.h, in.dqk, in.dv}, {in.b, in.h, in.dqk}, {in.b, in.h}};
        NDArray[] w = new NDArray[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            double[] d = TestArrays.gaussian(rng, (int) new Shape(shapes[i]).size(), 0, 1);
            w[i] = f64 ? TestArrays.f64(m, d, shapes[i]) : TestArrays.f32(m, d, shapes[i]);
        }
        return w;
    }

    /** Gradients of the loss w.r.t. every input (fresh leaves with no gradient yet), as double arrays. */
    private static double[][] autograd(MLstmCell cell, NDArray[] a, Form form, NDArray[] weights) {
        double[][] grads = new double[a.length][];
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            for (NDArray x : a) {
                x.setRequiresGradient(true);
            }
            gc.backward(loss(cell, a, form, weights));
            for (int i = 0; i < a.length; i++) {
                grads[i] = doubles(a[i].getGradient());
            }
        } finally {
            for (NDArray x : a) {
                x.setRequiresGradient(false);
            }
        }
        return grads;
    }

    private static void finiteDifferences(Form form, int seq, int chunk) {
        MLstmCellTest.Inputs in = new MLstmCellTest.Inputs(5, seq);
        MLstmCell cell = new MLstmCell(chunk);
        try (NDManager m = Backend.newManager()) {
            NDArray[] a = in.arrays(m, true);
            NDArray[] w = lossWeights(m, in, true);
            double[][] grads = autograd(cell, a, form, w);
            double h = 1e-6;
            for (int i = 0; i < a.length; i++) {
                double[] base = doubles(a[i]);
                double[] fd = new double[base.length];
                for (int j = 0; j < base.length; j++) {
                    fd[j] = (lossAt(cell, a, i, base, j, h, form, w, m) - lossAt(cell, a, i, base, j, -h, form, w, m)) / (2 * h);
                }
                assertClose(fd, grads[i], 1e-6, form + " dL/d" + NAMES[i]);
            }
        }
    }

    /** The loss with element j of input i moved by delta. */
    private static double lossAt(MLstmCell cell, NDArray[] a, int i, double[] base, int j, double delta, Form form,
            NDArray[] w, NDManager m) {
        try (NDScope scope = new NDScope()) {
            double[] moved = base.clone();
            moved[j] += delta;
            NDArray[] b = a.clone();
            b[i] = TestArrays.f64(m, moved, a[i].getShape().getShape());
            return loss(cell, b, form, w).toDoubleArray()[0];
        }
    }

    @Test
    void parallelGradientsMatchFiniteDifferences() {
        finiteDifferences(Form.PARALLEL, 6, 64);
    }

    @Test
    void chunkwiseGradientsMatchFiniteDifferences() {
        finiteDifferences(Form.CHUNKWISE, 7, 3);
    }

    @Test
    void recurrentGradientsMatchFiniteDifferences() {
        finiteDifferences(Form.RECURRENT, 4, 64);
    }

    @Test
    void parallelAndChunkwiseGiveTheSameGradientsInFloat32() {
        MLstmCellTest.Inputs in = new MLstmCellTest.Inputs(8, 20);
        try (NDManager m = Backend.newManager()) {
            NDArray[] w = lossWeights(m, in, false);
            // Fresh leaves for each run: the collector accumulates into existing gradients.
            double[][] par = autograd(new MLstmCell(), in.arrays(m, false), Form.PARALLEL, w);
            double[][] chunk = autograd(new MLstmCell(6), in.arrays(m, false), Form.CHUNKWISE, w);
            for (int i = 0; i < NAMES.length; i++) {
                assertClose(par[i], chunk[i], 1e-4, "dL/d" + NAMES[i]);
            }
        }
    }
}
