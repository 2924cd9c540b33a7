package io.bolmo4j.io;

/**
 * The Hugging Face tensor names of OLMo 2 / Olmo 3 and Bolmo checkpoints (docs/bolmo.md §1.2, §1.5), and the rule for
 * which tensors a byteified model shares with its subword teacher. Everything that names a tensor or asks "global or
 * local?" asks here.
 */
public final class ParameterLayout {
    /** The subword input embedding (OLMo only). */
    public static final String EMBED = "model.embed_tokens.weight";
    /** The final norm: OLMo's before its LM head; in Bolmo, the norm of the fused byte head (initialised from it). */
    public static final String NORM = "model.norm.weight";
    /** The LM head: OLMo's subword head, Bolmo's fused 520-way byte/boundary head. */
    public static final String LM_HEAD = "lm_head.weight";
    /** Bolmo's local encoder (byte and suffix embeddings, mLSTM layer, boundary predictor, patch projection). */
    public static final String LOCAL_ENCODER = "model.local_encoder.";
    /** Bolmo's local decoder (depooling and mLSTM layers). */
    public static final String LOCAL_DECODER = "model.local_decoder.";

    private static final String LAYERS = "model.layers.";

    private ParameterLayout() {}

    /** The prefix of transformer layer {@code i}'s tensors, e.g. {@code model.layers.3.}. */
    public static String layer(int i) {
        return LAYERS + i + ".";
    }

    /**
     * Whether a tensor belongs to the global model: the teacher's transformer layers, which Bolmo takes over unchanged,
     * Stage 1 keeps frozen and Stage 2 trains at half the local rate.
     */
    public static boolean isGlobal(String name) {
        return name.startsWith(LAYERS);
    }

    /**
     * Whether a task-vector merge carries this tensor from subword models into a Bolmo (paper §5.2, docs/bolmo.md §8):
     * the global layers and the final norm; embeddings and LM heads live in different spaces and stay.
     */
    public static boolean carriesTaskVector(String name) {
        return isGlobal(name) || name.equals(NORM);
    }
}
