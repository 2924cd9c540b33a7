package io.bolmo4j.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Instruction-style versions of the CUTE-style tasks, in a fixed chat template the base model never sees in
 * pretraining (so it cannot answer zero-shot), for post-training the built-in teacher and measuring task-arithmetic
 * merges (paper §5.2).
 * <pre>
 * &lt;|user|&gt;
 * Delete every instance of "red" in "The red fox ran.".
 * &lt;|assistant|&gt;
 * The fox ran.
 * </pre>
 * followed by the end-of-text token.
 */
public final class InstructionTasks {
    /**
     * Tasks a few-million-parameter subword model can learn in minutes: the sentence-level word edits (copying with
     * one change, which induction heads do well) and the two-way choices. Letter-level edits are left out: with a
     * 4k-token vocabulary tiny-olmo cannot see inside its tokens well enough to learn them (measured: 0.00 after
     * 300 steps, vs 0.50 for contains_char, i.e. chance).
     */
    public static final List<CuteTask> TASKS = List.of(CuteTask.CONTAINS_CHAR, CuteTask.CONTAINS_WORD, CuteTask.ORTH,
            CuteTask.INS_WORD, CuteTask.DEL_WORD, CuteTask.SUB_WORD, CuteTask.SWAP_WORD);

    private InstructionTasks() {}

    /** The question of an example, without CUTE's "Question: " prefix. */
    static String question(CuteExample e) {
        String p = e.prompt();
        return p.startsWith("Question: ") ? p.substring("Question: ".length()) : p;
    }

    /** The prompt a model continues: template up to the assistant turn. */
    public static String prompt(CuteExample e) {
        return "<|user|>\n" + question(e) + "\n<|assistant|>\n";
    }

    /** A training document: prompt and answer (trainers append the end-of-text token). */
    public static Document document(CuteExample e) {
        return new Document(e.id() + "-instruct", prompt(e) + e.answer(), "instruct");
    }

    /** {@code n} training documents drawn from the training words. */
    public static List<Document> training(CuteTasks tasks, int n, long seed) {
        Iterator<CuteExample> it = tasks.examples(seed, TASKS);
        List<Document> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(document(it.next()));
        }
        return out;
    }

    /** {@code perTask} held-out examples of every task (held-out words only). */
    public static List<CuteExample> heldOut(CuteTasks tasks, int perTask, long seed) {
        List<CuteExample> out = new ArrayList<>();
        for (CuteTask t : TASKS) {
            out.addAll(tasks.heldOut(t, perTask, seed));
        }
        return out;
    }

    /** Exact-match accuracy of greedy answers (text up to the end or the first newline, trimmed), per task and overall. */
    public static Accuracy exactMatch(ScoringModel model, List<CuteExample> examples) {
        java.util.Map<String, int[]> perTask = new java.util.LinkedHashMap<>();
        int correct = 0;
        for (CuteExample e : examples) {
            String out = model.generate(prompt(e), e.answer().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4);
            int nl = out.indexOf('\n');
            String answer = (nl >= 0 ? out.substring(0, nl) : out).trim();
            boolean ok = answer.equals(e.answer());
            correct += ok ? 1 : 0;
            int[] c = perTask.computeIfAbsent(e.kind().toString().toLowerCase(Locale.ROOT), k -> new int[2]);
            c[0] += ok ? 1 : 0;
            c[1]++;
        }
        java.util.Map<String, Double> tasks = new java.util.LinkedHashMap<>();
        perTask.forEach((k, v) -> tasks.put(k, (double) v[0] / v[1]));
        return new Accuracy((double) correct / examples.size(), examples.size(), tasks);
    }

    /** Overall and per-task exact match. */
    public record Accuracy(double overall, int examples, java.util.Map<String, Double> perTask) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "exact match %.3f over %d prompts (", overall, examples));
            perTask.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %.2f, ", k, v)));
            sb.setLength(sb.length() - 2);
            return sb.append(')').toString();
        }
    }
}
