package io.bolmo4j.export;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.bolmo.train.Stage2;
import io.bolmo4j.train.Loop;
import io.bolmo4j.train.LrSchedule;
import io.bolmo4j.train.Setting;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import static io.bolmo4j.train.Settings.require;

/**
 * A bolmo4j stage recipe in bolmo-core's own terms (revision {@link BolmoCoreExport#REVISION}): the environment
 * variables that {@code src/examples/bolmo/train_stage1.py} / {@code train_stage2.py} read, and the dotted overrides
 * of their {@code ExperimentConfig} ({@code key=value}, merged by OmegaConf), chosen as Ai2's launch scripts in
 * {@code bolmo_scripts/} set them, with bolmo4j's stage settings and local architecture in place of theirs.
 *
 * @param stage     1 or 2
 * @param env       environment variables, in order
 * @param overrides config overrides, in order; values are Integer, Long, Double, Boolean, String or List of those
 * @param mappings  where each bolmo4j setting went; {@link Mapping#target()} is null for those with no equivalent
 */
public record BolmoCoreRecipe(int stage, Map<String, String> env, Map<String, Object> overrides, List<Mapping> mappings) {
    /** Stands for the run directory in overrides; the launch script replaces it with the directory's absolute path. */
    public static final String RUN_DIR = "$RUN_DIR";
    /** bolmo-core's default byte-to-subword length factor (BYTE_EXPANSION_FACTOR): byte positions per instance token. */
    static final int BYTE_EXPANSION_FACTOR = 6;
    /**
     * The chunk size of bolmo-core's local mLSTM kernels ({@code XLSTMConfig.build}: {@code chunk_size=128}): they
     * train on whole chunks without padding, so an instance's byte positions must be a multiple of it.
     */
    static final int LOCAL_CHUNK_SIZE = 128;
    /**
     * The environment variables {@code train_stage1.py} and {@code train_stage2.py} read; those a recipe or the launch
     * script does not set are cleared by {@code launch.sh} (in both stages: a value meant for the other stage's script
     * is a leftover too), so that a shell's leftovers cannot change the run.
     */
    static final List<String> SCRIPT_VARIABLES = List.of("NUM_WORKERS", "SEQUENCE_LENGTH", "QUICK_DEBUG",
            "LOCAL_MODEL_STYLE", "TRAIN_MODE", "TEACHER_MODE", "GLOBAL_MODEL_LEARNING_RATE", "DATA_SOURCE", "DTYPE",
            "LR_SCHEDULE", "ADD_HASH_EMBEDDINGS", "ADD_EXPANDED_EMBEDDINGS", "OLMO_ARCH", "OLMO_CKPT_PATH",
            "STAGE1_CKPT_PATH", "EMBEDDING_INIT_PATH", "BYTE_EXPANSION_FACTOR", "SAVE_FOLDER");

    /**
     * One bolmo4j setting and what became of it.
     *
     * @param field  the bolmo4j name (a {@code Stage1.Config} / {@code Stage2.Config} component or a config.json key)
     * @param value  its value
     * @param target the bolmo-core names it maps to, or null when it has no equivalent
     * @param note   how it maps, or why it does not
     */
    public record Mapping(String field, String value, String target, String note) {}

    /** The GPUs a run is laid out for; defaults: one node of 8 GPUs, a GPU's whole share of the batch at once. */
    public record Cluster(
            @Setting("machines") int nodes,
            @Setting("GPUs per machine (torchrun's --nproc-per-node)") int gpusPerNode,
            @Setting("instances per GPU per forward pass; 0 = a GPU's whole share of the batch") int microBatch) {
        public Cluster {
            require(nodes >= 1, "nodes", "an integer >= 1", nodes);
            require(gpusPerNode >= 1, "gpusPerNode", "an integer >= 1", gpusPerNode);
            require(microBatch >= 0, "microBatch", "an integer >= 0", microBatch);
        }

        public static Cluster defaults() {
            return new Cluster(1, 8, 0);
        }

        public int gpus() {
            return nodes * gpusPerNode;
        }
    }

    public BolmoCoreRecipe {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        mappings = List.copyOf(mappings);
    }

    /** The settings with no bolmo-core equivalent. */
    public List<Mapping> unmapped() {
        return mappings.stream().filter(m -> m.target() == null).toList();
    }

    /**
     * Subword tokens per instance (SEQUENCE_LENGTH) for {@code bytesPerExample} bytes: the multiple of
     * {@link #tokenStep()} nearest to {@code bytesPerExample / bytesPerToken}, so that its
     * {@link #BYTE_EXPANSION_FACTOR} byte positions per token are whole {@link #LOCAL_CHUNK_SIZE} chunks, and at most
     * {@code context}, the teacher's (it reads the instance as subword tokens).
     */
    static int sequenceLength(int bytesPerExample, double bytesPerToken, int context) {
        int step = tokenStep();
        int longest = context / step * step;
        if (longest < step) {
            throw new IllegalArgumentException("the teacher's context of " + context + " tokens is shorter than the shortest"
                    + " instance bolmo-core trains (" + step + " tokens: " + step * BYTE_EXPANSION_FACTOR
                    + " byte positions, one chunk of the local mLSTM kernels)");
        }
        long nearest = Math.max(1, Math.round(bytesPerExample / bytesPerToken / step)) * step;
        return (int) Math.min(nearest, longest);
    }

    /** The smallest token count whose byte positions are whole chunks of the local mLSTM kernels (64 at 6 and 128). */
    static int tokenStep() {
        return LOCAL_CHUNK_SIZE / BigInteger.valueOf(LOCAL_CHUNK_SIZE).gcd(BigInteger.valueOf(BYTE_EXPANSION_FACTOR)).intValue();
    }

    /** The overrides as train_stage*.py takes them on its command line, one {@code key=value} each. */
    public List<String> dotlist() {
        return overrides.entrySet().stream().map(e -> e.getKey() + "=" + format(e.getValue())).toList();
    }

    /**
     * Stage 1 (subword-to-byte distillation) with the local architecture of {@code bolmo}.
     *
     * @param bytesPerToken the training data's UTF-8 bytes per teacher token (instances are cut in tokens)
     */
    public static BolmoCoreRecipe stage1(Stage1.Config c, BolmoConfig bolmo, double bytesPerToken, Cluster cluster,
                                         int checkpointEvery) {
        Builder b = new Builder(1, bolmo);
        b.env("TRAIN_MODE", "stage_1");
        b.env("DTYPE", "float32"); // the teacher's parameters (Ai2's Stage 1 scripts)
        b.common(c.loop(), c.bytesPerExample(),
                bytesPerToken, cluster, checkpointEvery);
        String bc = "train_module.bolmo_config.";
        b.fixed(bc + "losses", List.of("local_encoder", "ce", "local_decoder", "boundary"));
        b.fixed(bc + "loss_weights", List.of(1.0, 1.0, 1.0, 4.0));
        b.fixed(bc + "div_fn", "kl");
        b.fixed(bc + "use_oracle_patch_reps", true);
        b.fixed(bc + "teacher_force_boundaries", true);
        b.fixed(bc + "do_alm_debiasing", true);
        b.fixed(bc + "merge_boundary_loss", false);
        b.map("tau", c.tau(), "temperature of the distillation comparison (docs/bolmo.md §6.3)", bc + "binarization_temp", c.tau());
        int n = c.encoderLayers();
        List<Double> perLayer = new ArrayList<>(Collections.nCopies(n, 0.0));
        if (n > 0) {
            perLayer.set(n - 1, 4.0); // only layer n's output enters, with weight 4, as in Ai2's scripts
        }
        b.map("encoderLayers", n, "encoder loss after global layer n with weight 4 (0: embeddings, weight 4)",
                bc + "encoder_loss_lookahead", n, bc + "encoder_loss_no_lookahead_weight", n == 0 ? 4.0 : 0.0,
                bc + "encoder_loss_lookahead_weights", perLayer);
        if (c.byteDistillWeight() == 0) {
            b.map("byteDistillWeight", 0.0, "0: the paper's Stage 1 losses", bc + "losses", null);
        } else {
            b.unmapped("byteDistillWeight", c.byteDistillWeight(), "bolmo4j's byte-level distillation has no bolmo-core"
                    + " loss: the run is the paper's Stage 1 (weight 0)");
        }
        return b.build();
    }

    /**
     * Stage 2 (end to end) with the local architecture of {@code bolmo}; higher compression uses BPE merges towards
     * {@code targetBytesPerPatch}, starting from the data's own bytes per token.
     */
    public static BolmoCoreRecipe stage2(Stage2.Config c, BolmoConfig bolmo, double bytesPerToken, Cluster cluster,
                                         int checkpointEvery) {
        Builder b = new Builder(2, bolmo);
        b.common(c.loop(), c.bytesPerExample(),
                bytesPerToken, cluster, checkpointEvery);
        b.env("GLOBAL_MODEL_LEARNING_RATE", format(c.loop().lr() / 2)); // paper Table 8: the global model gets half
        String bc = "train_module.bolmo_config.";
        b.fixed(bc + "losses", List.of("ce", "boundary"));
        b.fixed(bc + "loss_weights", List.of(1.0, 4.0));
        b.fixed(bc + "teacher_force_boundaries", false);
        b.fixed(bc + "do_alm_debiasing", false);
        b.fixed(bc + "merge_boundary_loss", false);
        if (c.targetBytesPerPatch() > 0) {
            int ramp = c.compressionSteps() > 0 ? c.compressionSteps() : c.loop().steps();
            b.map("targetBytesPerPatch", c.targetBytesPerPatch(), "merged boundary targets ramp from the data's "
                            + String.format(Locale.ROOT, "%.3f", bytesPerToken) + " bytes/token (bolmo4j starts each example from its own ratio)",
                    bc + "gradual_boundary_compression_kind", "bpe", bc + "start_ratio", bytesPerToken,
                    bc + "target_ratio", c.targetBytesPerPatch());
            b.map("compressionSteps", c.compressionSteps(), "steps to reach the target (0 = all steps)",
                    bc + "gradual_boundary_compression_steps", ramp);
            if (c.merges() == Stage2.Merges.BPE) {
                b.map("merges", c.merges(), "per-example BPE merges", bc + "gradual_boundary_compression_kind", "bpe");
            } else {
                b.unmapped("merges", c.merges(), "bolmo-core scores entropy merges from per-token arrays written by"
                        + " compute_entropies.py, which train_stage2.py at this revision cannot locate"
                        + " (ENTROPY_PATH_SUB is empty): the run uses BPE merges");
            }
        } else {
            b.map("targetBytesPerPatch", c.targetBytesPerPatch(), "0: the teacher's subword boundaries",
                    bc + "gradual_boundary_compression_kind", null);
        }
        return b.build();
    }

    /**
     * A value as OmegaConf's dotlist parser reads it (floats always with a decimal point, lists in brackets; a path in
     * the run directory as a YAML single-quoted string, so that whatever the directory is called it stays one string).
     */
    static String format(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String str && str.contains(RUN_DIR)) {
            return "'" + str.replace("'", "''") + "'";
        }
        if (v instanceof Double d) {
            String s = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        if (v instanceof List<?> l) {
            return l.stream().map(BolmoCoreRecipe::format).collect(Collectors.joining(",", "[", "]"));
        }
        return String.valueOf(v);
    }

    /** Collects env, overrides and mappings in order. */
    private static final class Builder {
        private final int stage;
        private final BolmoConfig bolmo;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, Object> overrides = new LinkedHashMap<>();
        private final List<Mapping> mappings = new ArrayList<>();

        Builder(int stage, BolmoConfig bolmo) {
            this.stage = stage;
            this.bolmo = bolmo;
            env("OLMO_ARCH", BolmoCoreRequirements.olmoArch(bolmo.global).orElse("none"));
            env("LOCAL_MODEL_STYLE", "hnet:xlstm");
            env("LR_SCHEDULE", "linear_with_warmup");
            env("ADD_HASH_EMBEDDINGS", "false");
            architecture();
        }

        void env(String k, String v) {
            env.put(k, v);
        }

        void fixed(String key, Object value) {
            overrides.put(key, value);
        }

        /** Records {@code field = value} as mapped to the given key/value pairs (null value: key left at its default). */
        void map(String field, Object value, String note, Object... keyValues) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                String k = (String) keyValues[i];
                keys.add(k);
                if (keyValues[i + 1] != null) {
                    if (k.startsWith("env:")) {
                        env.put(k.substring(4), format(keyValues[i + 1]));
                    } else {
                        overrides.put(k, keyValues[i + 1]);
                    }
                }
            }
            mappings.add(new Mapping(field, format(value), String.join(", ", keys), note));
        }

        void unmapped(String field, Object value, String why) {
            mappings.add(new Mapping(field, format(value), null, why));
        }

        void common(Loop loop, int bytesPerExample, double bytesPerToken, Cluster cluster, int checkpointEvery) {
            int steps = loop.steps(), batch = loop.batch();
            double lr = loop.lr(), warmup = loop.warmupFraction(), wd = loop.weightDecay(), clip = loop.clip();
            long seed = loop.seed();
            require(checkpointEvery >= 1, "checkpointEvery", "an integer >= 1", checkpointEvery);
            if (batch % cluster.gpus() != 0) {
                throw new IllegalArgumentException("batch " + batch + " is not a multiple of nodes × GPUs = "
                        + cluster.gpus() + ": every GPU takes whole instances");
            }
            int perGpu = batch / cluster.gpus();
            int micro = cluster.microBatch() == 0 ? perGpu : cluster.microBatch();
            if (perGpu % micro != 0) {
                throw new IllegalArgumentException("microBatch " + micro + " does not divide the " + perGpu
                        + " instances each GPU takes per step");
            }
            if (!(bytesPerToken > 0)) {
                throw new IllegalArgumentException("the training data has no tokens to measure bytes per token on");
            }
            int context = bolmo.global.maxPositionEmbeddings;
            int tokens = sequenceLength(bytesPerExample, bytesPerToken, context);
            int bytePositions = tokens * BYTE_EXPANSION_FACTOR;
            boolean capped = tokens < sequenceLength(bytesPerExample, bytesPerToken, Integer.MAX_VALUE);
            map("steps", steps, "optimizer steps", "trainer.max_duration.value", steps, "trainer.max_duration.unit", "steps");
            map("batch", batch, "instances per step (byte positions: instances × SEQUENCE_LENGTH × BYTE_EXPANSION_FACTOR);"
                    + " each of the " + cluster.gpus() + " GPUs takes " + perGpu + ", " + micro + " per forward pass",
                    "data_loader.global_batch_size", batch * bytePositions, "train_module.rank_microbatch_size",
                    micro * bytePositions);
            map("bytesPerExample", bytesPerExample, "bolmo-core cuts instances in subword tokens: " + tokens
                    + " tokens ≈ " + Math.round(tokens * bytesPerToken) + " bytes at the data's "
                    + String.format(Locale.ROOT, "%.3f", bytesPerToken) + " bytes/token (a multiple of " + tokenStep()
                    + " tokens, so that the " + bytePositions + " byte positions, padded or cut, are whole chunks of "
                    + LOCAL_CHUNK_SIZE + " for the local mLSTM kernels"
                    + (capped ? "; capped at the teacher's context of " + context + " tokens" : "") + ")",
                    "env:SEQUENCE_LENGTH", tokens, "env:BYTE_EXPANSION_FACTOR", BYTE_EXPANSION_FACTOR);
            map("lr", lr, stage == 1 ? "peak learning rate" : "peak learning rate of the local models",
                    "train_module.optim.lr", lr);
            fixed("train_module.optim.betas", List.of(0.9, 0.95)); // docs/bolmo.md §6.3 (Ai2's Stage 1 scripts keep 0.999)
            map("warmupFraction", warmup, "linear warmup, then linear decay to 0 (LinearWithWarmup, alpha_f 0)",
                    "train_module.scheduler.warmup_fraction", warmup, "train_module.scheduler.alpha_f", 0.0);
            if (loop.schedule() == LrSchedule.Decay.LINEAR) {
                map("schedule", loop.schedule(), "linear decay after the warmup", "train_module.scheduler", null);
            } else {
                unmapped("schedule", loop.schedule(), "the recipe keeps bolmo-core's LinearWithWarmup: change its scheduler"
                        + " in overrides.txt for a cosine decay");
            }
            map("weightDecay", wd, "AdamW decoupled weight decay; embeddings excluded in both",
                    "train_module.optim.weight_decay", wd);
            map("clip", clip, "global gradient-norm clip", "train_module.max_grad_norm", clip);
            map("seed", seed, "same seed, different sampler: bolmo-core's batches and initialisation are not bolmo4j's",
                    "data_loader.seed", seed, "init_seed", seed);
            fixed("trainer.callbacks.checkpointer.save_interval", steps);
            fixed("trainer.callbacks.checkpointer.ephemeral_save_interval", Math.min(checkpointEvery, Math.max(1, steps)));
            fixed("trainer.callbacks.wandb.enabled", false); // needs a W&B account; turn on by editing overrides.txt
            fixed("trainer.callbacks.downstream_evaluator.enabled", false); // downloads Ai2's evaluation sets
            String tok = RUN_DIR + "/tokenizer";
            fixed("dataset.tokenizer.original_identifier", tok);
            fixed("train_module.bolmo_config.tokenizer.original_identifier", tok);
            fixed("trainer.callbacks.downstream_evaluator.tokenizer.original_identifier", tok);
            fixed("model.block.attention.use_flash", true);
        }

        private void architecture() {
            String e = "model.local_encoder.", d = "model.local_decoder.";
            map("hidden_size (local)", bolmo.hiddenSize, "local model width", e + "d_model", bolmo.hiddenSize,
                    d + "d_model", bolmo.hiddenSize);
            map("num_local_encoder_layers", bolmo.numLocalEncoderLayers, "mLSTM layers", e + "n_layers",
                    bolmo.numLocalEncoderLayers);
            map("num_local_decoder_layers", bolmo.numLocalDecoderLayers, "mLSTM layers", d + "n_layers",
                    bolmo.numLocalDecoderLayers);
            map("num_local_heads", bolmo.numLocalHeads, "mLSTM heads", e + "block_config.xlstm.num_heads",
                    bolmo.numLocalHeads, d + "block_config.xlstm.num_heads", bolmo.numLocalHeads);
            map("local_intermediate_size", bolmo.localIntermediateSize, "SwiGLU width",
                    e + "block_config.feed_forward.hidden_size", bolmo.localIntermediateSize,
                    d + "block_config.feed_forward.hidden_size", bolmo.localIntermediateSize);
            map("boundary_predictor_lookahead", bolmo.boundaryPredictorLookahead, "1 = Bolmo's, 0 = causal",
                    e + "boundary_predictor_lookahead", bolmo.boundaryPredictorLookahead);
            map("add_expanded_embeddings", bolmo.addExpandedEmbeddings, "subword-suffix embeddings",
                    "env:ADD_EXPANDED_EMBEDDINGS", bolmo.addExpandedEmbeddings);
            map("boundary_threshold", bolmo.boundaryThreshold, "inference boundary rule",
                    "train_module.bolmo_config.boundary_threshold", bolmo.boundaryThreshold);
            fixed(d + "hnet_smooth", false);
            fixed(d + "hnet_modulate", false);
            fixed(d + "add_in_projection", true);
            fixed(d + "add_norm_onto_residual", false);
            fixed(d + "add_projected_patch_residuals", false);
        }

        BolmoCoreRecipe build() {
            return new BolmoCoreRecipe(stage, env, overrides, mappings);
        }
    }
}
