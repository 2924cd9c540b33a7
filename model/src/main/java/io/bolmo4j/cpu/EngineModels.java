package io.bolmo4j.cpu;

import io.bolmo4j.engine.Backend;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * A loaded model's two engines. Loaded for the Java inference engine ({@link InferenceEngine}), the weights stay in
 * the mapped files and the DJL model is only loaded when {@link #model()} is asked for (training, merges, saving);
 * from then on inference uses it, as it may change.
 *
 * @param <M> the DJL model
 * @param <J> the Java engine's model over the mapped checkpoint
 */
public final class EngineModels<M, J> {
    /** The DJL model; null until {@link #model()} loads it when {@link #mapped} serves inference. */
    private M model;
    private final Supplier<M> loader;
    /** The Java engine over the mapped checkpoint, or null. */
    private J mapped;

    /**
     * A loaded DJL model ({@code mapped} and {@code loader} null), or the Java engine over a mapped checkpoint and how
     * to load the DJL model when it is asked for ({@code model} null).
     */
    public EngineModels(M model, J mapped, Supplier<M> loader) {
        this.model = model;
        this.mapped = mapped;
        this.loader = loader;
    }

    /** The DJL model (loaded now if the Java engine served inference so far). */
    public M model() {
        if (model == null) {
            model = loader.get();
            mapped = null;
        }
        return model;
    }

    /** The Java engine over the mapped checkpoint while it serves inference, else null (the DJL model serves it). */
    public J mapped() {
        return mapped;
    }

    /** The DJL model if it is loaded (what closing the model closes). */
    public Optional<M> loaded() {
        return Optional.ofNullable(model);
    }

    /** Stops autograd recording for inference on the DJL model; the mapped files need no DJL engine at all. */
    public void noGrad() {
        if (mapped == null) {
            Backend.noGrad();
        }
    }
}
