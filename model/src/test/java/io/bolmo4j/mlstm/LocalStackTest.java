package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;
import io.bolmo4j.mlstm.MLstmCell.Form;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.bolmo4j.mlstm.TestArrays.assertClose;
import static io.bolmo4j.mlstm.TestArrays.doubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalStackTest {
    private static final String PREFIX = "model.local_decoder.layers.";

    /** Initialised parameters with the gates made input-dependent, so the mLSTM path matters. */
    static Params params(LocalConfig cfg, int depth, long seed) {
        Params p = Params.create();
        Random rng = new Random(seed);
        new TensorTable().under(PREFIX, LocalStack.tensors(depth, cfg)).init(p, rng);
        for (int i = 0; i < depth; i++) {
            String x = PREFIX + i + ".xlstm.";
            p.putNormal(x + "igate_preact.weight", rng, 0.5, cfg.heads(), cfg.d());
            p.putNormal(x + "igate_preact.bias", rng, 1.0, cfg.heads());
            p.putNormal(x + "fgate_preact.weight", rng, 0.5, cfg.heads(), cfg.d());
            p.putNormal(x + "multihead_norm.weight", rng, 1.0, cfg.vDim());
            p.putNormal(PREFIX + i + ".pre_xlstm_layernorm.weight", rng, 1.0, cfg.d());
            p.putNormal(PREFIX + i + ".pre_feedforward_layernorm.weight", rng, 1.0, cfg.d());
            p.putNormal(x + "out_proj.weight", rng, 0.3, cfg.d(), cfg.vDim());
        }
        return p;
    }

    private static NDArray input(NDManager m, long seed, int b, int s, int d) {
        return TestArrays.f32(m, TestArrays.gaussian(new Random(seed), b * s * d, 0, 1), b, s, d);
    }

    private static void assertStatesClose(List<MLstmState> want, List<MLstmState> got, double tol, String what) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertClose(want.get(i).c(), got.get(i).c(), tol, what + " layer " + i + " C");
            assertClose(want.get(i).n(), got.get(i).n(), tol, what + " layer " + i + " n");
            assertClose(want.get(i).m(), got.get(i).m(), tol, what + " layer " + i + " m");
        }
    }

    @Test
    void invariantI2FullSequenceEqualsStepByStepDecoding() {
        LocalConfig cfg = new LocalConfig(32, 2, 48, 1e-6f);
        int b = 2;
        int s = 29;
        try (Params p = params(cfg, 4, 1); NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            LocalStack stack = new LocalStack(p, PREFIX, 4, cfg, new MLstmCell(8));
            NDArray x = input(m, 2, b, s, cfg.d());
            LocalStack.Result full = stack.forward(x, null, Form.CHUNKWISE);

            List<NDArray> outs = new ArrayList<>();
            List<MLstmState> states = stack.zeroStates(m, b);
            for (int t = 0; t < s; t++) {
                LocalStack.Result r = stack.step(x.get(":, " + t + ", :"), states);
                outs.add(r.output());
                states = r.states();
            }
            NDArray stepped = NDArrays.stack(new NDList(outs), 1);
            assertClose(full.output(), stepped, 1e-5, "outputs");
            assertStatesClose(full.states(), states, 1e-5, "final states");

            for (Form form : new Form[] {Form.PARALLEL, Form.RECURRENT}) {
                LocalStack.Result r = stack.forward(x, null, form);
                assertClose(full.output(), r.output(), 1e-5, form + " outputs");
                assertStatesClose(full.states(), r.states(), 1e-5, form.toString());
            }

            // Prefill in two parts, the state carried: same as one pass.
            LocalStack.Result head = stack.forward(x.get(":, 0:13, :"), null, Form.CHUNKWISE);
            LocalStack.Result tail = stack.forward(x.get(":, 13:, :"), head.states(), Form.PARALLEL);
            assertClose(full.output().get(":, 13:, :"), tail.output(), 1e-5, "continued prefill");
            assertStatesClose(full.states(), tail.states(), 1e-5, "continued prefill");
        }
    }

    @Test
    void localLayerMatchesPlainJavaReference() {
        LocalConfig cfg = new LocalConfig(8, 2, 6, 1e-6f);
        int s = 5;
        try (Params p = params(cfg, 1, 4); NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            NDArray x = input(m, 5, 1, s, cfg.d());
            LocalLayer layer = new LocalLayer(p, PREFIX + "0.", cfg, new MLstmCell());
            double[] got = doubles(layer.forward(x, null, Form.PARALLEL).output());
            double[] want = ReferenceLocalLayer.forward(p, PREFIX + "0.", cfg, doubles(x), s);
            assertClose(want, got, 1e-5, "local layer");
        }
    }

    @Test
    void missingOrMisshapedParametersAndBadInputsAreClearErrors() {
        LocalConfig cfg = new LocalConfig(8, 2, 6, 1e-6f);
        try (Params p = params(cfg, 1, 4); NDManager m = Backend.newManager(); NDScope scope = new NDScope()) {
            assertThrows(IllegalArgumentException.class, () -> new LocalStack(p, "model.local_encoder.layers.", 1, cfg,
                    new MLstmCell()));
            assertThrows(IllegalArgumentException.class, () -> new LocalStack(p, PREFIX, 1,
                    new LocalConfig(8, 4, 6, 1e-6f), new MLstmCell()));
            LocalStack stack = new LocalStack(p, PREFIX, 1, cfg, new MLstmCell());
            assertThrows(IllegalArgumentException.class, () -> stack.forward(input(m, 1, 1, 3, 6), null, Form.PARALLEL));
            assertThrows(IllegalArgumentException.class, () -> stack.forward(input(m, 1, 1, 3, 8),
                    stack.zeroStates(m, 1).subList(0, 0), Form.PARALLEL));
            assertThrows(IllegalArgumentException.class, () -> stack.step(input(m, 1, 1, 3, 8), null));
            assertThrows(IllegalArgumentException.class, () -> new LocalConfig(10, 2, 6, 1e-6f));
        }
    }
}
