package io.bolmo4j.export;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bolmo-core's parameter names (olmo-core) → the Hugging Face Bolmo names (docs/bolmo.md §1.2, §1.4), as bolmo-core's
 * converter maps them ({@code olmo_core/nn/hf/convert.py}, model type {@code bolmo}, at {@link BolmoCoreExport#REVISION}).
 * A training checkpoint also holds the teacher ({@code teacher.*}, {@code teacher_embeddings.*}), which a Bolmo does
 * not keep.
 */
final class OlmoCoreNames {
    private OlmoCoreNames() {}

    private static final Pattern LOCAL = Pattern.compile("local_(encoder|decoder)\\.blocks\\.(\\d+)\\.(.+)");
    private static final Pattern GLOBAL = Pattern.compile("blocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> LOCAL_PARTS = Map.of(
            "xlstm_norm.weight", "pre_xlstm_layernorm.weight",
            "feed_forward_norm.weight", "pre_feedforward_layernorm.weight",
            "feed_forward.w1.weight", "mlp.gate_proj.weight",
            "feed_forward.w2.weight", "mlp.down_proj.weight",
            "feed_forward.w3.weight", "mlp.up_proj.weight");
    private static final Map<String, String> GLOBAL_PARTS = Map.ofEntries(
            Map.entry("attention.w_q.weight", "self_attn.q_proj.weight"),
            Map.entry("attention.w_k.weight", "self_attn.k_proj.weight"),
            Map.entry("attention.w_v.weight", "self_attn.v_proj.weight"),
            Map.entry("attention.w_out.weight", "self_attn.o_proj.weight"),
            Map.entry("attention.q_norm.weight", "self_attn.q_norm.weight"),
            Map.entry("attention.k_norm.weight", "self_attn.k_norm.weight"),
            Map.entry("attention_norm.weight", "post_attention_layernorm.weight"),
            Map.entry("feed_forward_norm.weight", "post_feedforward_layernorm.weight"),
            Map.entry("feed_forward.w1.weight", "mlp.gate_proj.weight"),
            Map.entry("feed_forward.w2.weight", "mlp.down_proj.weight"),
            Map.entry("feed_forward.w3.weight", "mlp.up_proj.weight"));
    private static final Map<String, String> SINGLE = Map.ofEntries(
            Map.entry("local_encoder.embedding.weight", "model.local_encoder.byte_embedding.weight"),
            Map.entry("local_encoder.expanded_embeddings.weight", "model.local_encoder.subword_embedding.weight"),
            Map.entry("lm_head.norm.weight", "model.norm.weight"),
            Map.entry("lm_head.w_out.weight", "lm_head.weight"));

    /** Whether a checkpoint tensor belongs to the teacher a training run carries (dropped on import). */
    static boolean isTeacher(String name) {
        return name.startsWith("teacher.") || name.startsWith("teacher_embeddings.");
    }

    /** The Hugging Face name of a Bolmo tensor, or empty when {@code name} is not one bolmo-core's converter maps. */
    static Optional<String> toHf(String name) {
        if (SINGLE.containsKey(name)) {
            return Optional.of(SINGLE.get(name));
        }
        Matcher m = LOCAL.matcher(name);
        if (m.matches()) {
            String part = m.group(3).startsWith("xlstm.") ? m.group(3) : LOCAL_PARTS.get(m.group(3));
            return Optional.ofNullable(part).map(p -> "model.local_" + m.group(1) + ".layers." + m.group(2) + "." + p);
        }
        Matcher g = GLOBAL.matcher(name);
        if (g.matches()) {
            return Optional.ofNullable(GLOBAL_PARTS.get(g.group(2))).map(p -> "model.layers." + g.group(1) + "." + p);
        }
        if (name.startsWith("boundary_predictor.")) { // where older Stage 1 checkpoints keep it (train_stage2.py's key mapping)
            return Optional.of("model.local_encoder.boundary_predictor_module." + name.substring("boundary_predictor.".length()));
        }
        if (name.matches("local_encoder\\.(post_last_block_norm|out_projection|boundary_predictor_module)\\..+")
                || name.matches("local_decoder\\.(initial_norm|in_projection)\\..+")) {
            return Optional.of("model." + name);
        }
        return Optional.empty();
    }
}
