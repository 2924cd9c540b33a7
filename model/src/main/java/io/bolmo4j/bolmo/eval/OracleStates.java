package io.bolmo4j.bolmo.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Patches;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.bolmo.train.TokenBatch;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Scores continuations with Bolmo's local decoder fed a subword teacher's final hidden states in place of its own
 * global model's (Stage 1's oracle patch representations, docs/bolmo.md §6.3), patches = the teacher's tokens. Side by side with
 * the Bolmo's own states under the same patches, this splits what a byteified model loses into the part before the
 * decoder (local encoder + global model) and the decoder's stand-in for the teacher's LM head.
 */
public final class OracleStates {
    private final BolmoModel bolmo;
    private final BpeTokenizer tokenizer;
    private final SubwordSuffixTrie trie;

    public OracleStates(BolmoModel bolmo, BpeTokenizer teacherTokenizer) {
        this.bolmo = bolmo;
        this.tokenizer = teacherTokenizer;
        this.trie = SubwordSuffixTrie.of(teacherTokenizer);
    }

    /**
     * Bits per byte of {@code continuation} after {@code context} (boundary flags folded out, docs/bolmo.md §3.7), summed into
     * {@code acc} as {bits, bytes}.
     *
     * @param teacher whose final states the decoder reads, or null for the Bolmo's own global model
     */
    public void score(OlmoModel teacher, String context, String continuation, double[] acc) {
        Backend.noGrad();
        String full = context + continuation;
        int cb = context.getBytes(StandardCharsets.UTF_8).length, fb = full.getBytes(StandardCharsets.UTF_8).length;
        TokenBatch bt = TokenBatch.of(List.of(tokenizer.encodeIds(full)), tokenizer, trie, fb + 1);
        try (NDScope ignored = new NDScope()) {
            NDManager m = bolmo.params().manager();
            int l = bt.length;
            BolmoModel.Encoded enc = bolmo.encode(Ops.ids(m, bt.bytes[0], 1, l), Ops.ids(m, bt.subwords[0], 1, l));
            Patches patches = Patches.of(bt.ends);
            NDArray states = teacher == null
                    ? bolmo.global().forward(bolmo.pool(enc.h(), patches))
                    : teacher.stack().forward(teacher.embed(Ops.ids(m, bt.teacherIds[0], 1, bt.patches)));
            float[] lp = bolmo.decode(enc.h(), patches, states).logSoftmax(-1).toFloatArray();
            for (int t = cb; t < fb; t++) { // position t predicts byte t+1 (byte 0 is BOS)
                acc[0] -= ByteTokenizer.foldedLogProb(lp, t, bt.bytes[0][t + 1]) / Math.log(2);
            }
            acc[1] += fb - cb;
        }
    }
}
