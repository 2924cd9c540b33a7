package io.bolmo4j.export;

import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What bolmo-core's Bolmo scripts assume of the teacher at {@link BolmoCoreExport#REVISION}, checked before a run is
 * handed over: {@code train_stage1.py} / {@code train_stage2.py} accept only three global architectures
 * ({@code OLMO_ARCH}), build the teacher's embeddings for {@code TokenizerConfig.dolma2()}, and the model and dataset
 * hard-code dolma2's vocabulary size, end-of-text id and {@code <|fim_middle|>} token. Its global model is OLMo's
 * transformer only: Llama and Qwen teachers are blocked.
 */
public final class BolmoCoreRequirements {
    /** dolma2's vocabulary size ({@code TokenizerConfig.dolma2().vocab_size}, {@code LocalEncoder}'s subword_vocab_size). */
    public static final int DOLMA2_VOCAB = 100278;
    /** dolma2's end-of-text id ({@code BolmoTransformer.eos_token_dolma2}). */
    public static final int DOLMA2_EOS = 100257;
    /** Looked up by {@code NumpyByteFSLDataset.__init__}. */
    static final String FIM_MIDDLE = "<|fim_middle|>";

    private BolmoCoreRequirements() {}

    /** An OLMO_ARCH value: olmo-core's {@code TransformerConfig} classmethod of that name at the revision. */
    private record Arch(String name, String type, int d, int layers, int heads, int ffn) {
        /** Every olmo2_* / olmo3_* config of olmo-core: RoPE theta 500,000, RMSNorm eps 1e-6, QK-norm, full-width KV. */
        static final double ROPE_THETA = 500_000;
        static final double NORM_EPS = 1e-6;
        /** olmo3_7B's sliding windows: 4096 tokens on three of every four layers, full attention on the fourth. */
        static final int WINDOW = 4096;

        boolean sameShape(OlmoConfig g) {
            return type.equals(g.layerTypes.contains(OlmoConfig.SLIDING) ? "olmo3" : "olmo2") && d == g.hiddenSize
                    && layers == g.numHiddenLayers && heads == g.numAttentionHeads && ffn == g.intermediateSize;
        }

        /** What else olmo-core's config fixes and the teacher's differs in; empty when they are the same model. */
        List<String> differences(OlmoConfig g) {
            List<String> out = new ArrayList<>();
            if (!g.modelType.equals("olmo2") && !g.modelType.equals("olmo3")) {
                out.add("model_type " + g.modelType + " (olmo-core's blocks norm q and k over all heads: olmo2, olmo3)");
            }
            if (g.numKeyValueHeads != g.numAttentionHeads) {
                out.add("num_key_value_heads " + g.numKeyValueHeads + " (" + heads + ")");
            }
            if (g.ropeTheta != ROPE_THETA) {
                out.add(String.format(Locale.ROOT, "rope_theta %s (%s)", format(g.ropeTheta), format(ROPE_THETA)));
            }
            if (g.rmsNormEps != NORM_EPS) {
                out.add("rms_norm_eps " + g.rmsNormEps + " (" + NORM_EPS + ")");
            }
            if (type.equals("olmo3")) {
                if (g.slidingWindow != WINDOW) {
                    out.add("sliding_window " + g.slidingWindow + " (" + WINDOW + ")");
                }
                for (int i = 0; i < g.numHiddenLayers; i++) {
                    boolean full = i % 4 == 3 || i == g.numHiddenLayers - 1;
                    if (g.isSliding(i) == full) {
                        out.add("layer_types[" + i + "] " + g.layerTypes.get(i) + " (every fourth and the last layer full)");
                        break;
                    }
                }
            }
            return out;
        }

        private static String format(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    // TransformerConfig.olmo2_1B_v2 (llama2_1B, 16 layers), olmo2_7B (llama2_7B), olmo3_7B (olmo2_7B + sliding windows)
    private static final List<Arch> KNOWN = List.of(new Arch("olmo2_1B_v2", "olmo2", 2048, 16, 16, 8192),
            new Arch("olmo2_7B", "olmo2", 4096, 32, 32, 11008), new Arch("olmo3_7B", "olmo3", 4096, 32, 32, 11008));

    /** One of train_stage*.py's OLMO_ARCH values whose layer stack equals the Bolmo's global model, if any. */
    public static Optional<String> olmoArch(OlmoConfig g) {
        return KNOWN.stream().filter(a -> a.sameShape(g) && a.differences(g).isEmpty()).map(Arch::name).findFirst();
    }

    /** Why bolmo-core cannot run this teacher unmodified; empty when it can. */
    public static List<String> blockers(BolmoConfig bolmo, BpeTokenizer tokenizer, int eosId) {
        List<String> out = new ArrayList<>();
        OlmoConfig g = bolmo.global;
        Optional<Arch> shape = KNOWN.stream().filter(a -> a.sameShape(g)).findFirst();
        if (!g.family.isOlmo()) {
            out.add("the teacher is a " + g.modelType + " model; bolmo-core's Bolmo global model is an OLMo 2 / Olmo 3"
                    + " transformer (post-norm, QK-norm over the whole projection), and its scripts build no other");
        } else if (shape.isPresent() && !shape.get().differences(g).isEmpty()) {
            out.add("the teacher has the shape of OLMO_ARCH " + shape.get().name() + " but differs from olmo-core's config in "
                    + String.join(", ", shape.get().differences(g)) + " (olmo-core's values in parentheses)");
        } else if (shape.isEmpty()) {
            out.add("the teacher (" + g.modelType + ", d=" + g.hiddenSize + ", " + g.numHiddenLayers + " layers, "
                    + g.numAttentionHeads + " heads, ffn " + g.intermediateSize + ") matches none of the OLMO_ARCH values"
                    + " train_stage1.py / train_stage2.py accept (olmo2_1B_v2, olmo2_7B, olmo3_7B)");
        }
        if (tokenizer.vocabSize() != DOLMA2_VOCAB) {
            out.add("the teacher's vocabulary has " + tokenizer.vocabSize() + " ids; bolmo-core sizes the teacher"
                    + " embeddings and the subword-suffix table for dolma2's " + DOLMA2_VOCAB);
        }
        if (eosId != DOLMA2_EOS) {
            out.add("the teacher's end-of-text id is " + eosId + "; bolmo-core's Bolmo model assumes dolma2's " + DOLMA2_EOS);
        }
        if (tokenizer.tokenId(FIM_MIDDLE).isEmpty()) {
            out.add("the teacher's tokenizer has no " + FIM_MIDDLE + " token, which bolmo-core's NumpyByteFSLDataset looks up");
        }
        return out;
    }
}
