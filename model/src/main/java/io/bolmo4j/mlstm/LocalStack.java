package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A stack of {@link LocalLayer}s named {@code <prefix>0.}, {@code <prefix>1.}, … (e.g. prefix
 * {@code model.local_decoder.layers.}); the encoder has one layer, the decoder four. The recurrent state is a list with
 * one {@link MLstmState} per layer; a null list (or null entries) means zeros.
 */
public final class LocalStack {
    /** The stack's output and the state of every layer after the last position. */
    public record Result(NDArray output, List<MLstmState> states) {}

    private final List<LocalLayer> layers;
    private final LocalConfig cfg;

    /** Binds {@code depth} layers under {@code prefix}; fails at once if a tensor is missing or mis-shaped. */
    public LocalStack(Params params, String prefix, int depth, LocalConfig cfg, MLstmCell cell) {
        if (depth < 1) {
            throw new IllegalArgumentException("a local stack needs at least one layer, got " + depth);
        }
        this.layers = IntStream.range(0, depth).mapToObj(i -> new LocalLayer(params, prefix + i + ".", cfg, cell)).toList();
        this.cfg = cfg;
    }

    /** The tensors of {@code depth} layers named {@code 0.}, {@code 1.}, … (see {@link LocalLayer#tensors}). */
    public static TensorTable tensors(int depth, LocalConfig cfg) {
        TensorTable t = new TensorTable();
        for (int i = 0; i < depth; i++) {
            t.under(i + ".", LocalLayer.tensors(cfg, depth));
        }
        return t;
    }

    /** Zero states for every layer, created in {@code manager}. */
    public List<MLstmState> zeroStates(NDManager manager, long batch) {
        return layers.stream().map(l -> MLstmState.zeros(manager, batch, cfg.heads(), cfg.qkPerHead(), cfg.vPerHead())).toList();
    }

    /**
     * Runs the stack over a sequence {@code x [B,S,d]}.
     *
     * @param states one state per layer before the first position, or null for zeros
     */
    public Result forward(NDArray x, List<MLstmState> states, MLstmCell.Form form) {
        return run(x, states, (layer, h, state) -> layer.forward(h, state, form));
    }

    /** One decoding step, {@code x [B,d]} → {@code [B,d]}. */
    public Result step(NDArray x, List<MLstmState> states) {
        return run(x, states, LocalLayer::step);
    }

    private interface LayerCall {
        MLstmLayer.Result apply(LocalLayer layer, NDArray x, MLstmState state);
    }

    private Result run(NDArray x, List<MLstmState> states, LayerCall call) {
        if (states != null && states.size() != layers.size()) {
            throw new IllegalArgumentException("expected " + layers.size() + " layer states, got " + states.size());
        }
        List<MLstmState> out = new ArrayList<>();
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            MLstmLayer.Result r = call.apply(layers.get(i), h, states == null ? null : states.get(i));
            h = r.output();
            out.add(r.state());
        }
        return new Result(h, Collections.unmodifiableList(out));
    }
}
