package io.bolmo4j.data;

import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.Message;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Instruction-following tasks in a fixed chat format the base model never sees in pretraining, so it cannot
 * answer them zero-shot: for post-training the built-in teacher ({@code tiny-olmo-instruct}) and measuring
 * task-arithmetic merges (paper §5.2).
 * <pre>
 * &lt;|user|&gt;
 * Which word comes last?
 * river
 * stone
 * cloud
 * &lt;|assistant|&gt;
 * cloud
 * </pre>
 * followed by the end-of-text token. The tasks copy a word from a position of the question: a few-million-parameter
 * model learns them in minutes, where CUTE's sentence and letter edits stayed at 0 % exact match (measured: 300 and
 * 1,000 finetuning steps of tiny-olmo). Words come from the CUTE-style word lists (CUTE's test words excluded),
 * restricted to words of at most two teacher tokens; held-out prompts use only held-out words. A model with its own
 * chat template is asked in that template instead ({@link Example#prompt(ChatTemplate)}).
 */
public final class InstructionTasks {
    /** The task kinds. */
    public enum Task {
        /** Repeat the one word given. */
        REPEAT("Repeat this word:"),
        /** The first of a list of words, one per line. */
        FIRST("Which word comes first?"),
        /** The last of a list of words. */
        LAST("Which word comes last?");

        final String question;

        Task(String question) {
            this.question = question;
        }

        /** Lower-case name, e.g. {@code "first"}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One prompt and its gold answer. */
    public record Example(Task task, String question, String answer) {
        /** The prompt a model continues: the template up to the assistant turn. */
        public String prompt() {
            return "<|user|>\n" + question + "\n<|assistant|>\n";
        }

        /**
         * The prompt for a model with a chat template: the question as a user turn, rendered with the generation
         * prompt; {@link #prompt()}'s fixed format when {@code template} is null.
         */
        public String prompt(ChatTemplate template) {
            return template == null ? prompt() : template.render(List.of(Message.user(question)), true);
        }

        /** A training document: prompt and answer (trainers append the end-of-text token). */
        public Document document(String id) {
            return new Document(id, prompt() + answer, "instruct");
        }
    }

    private final List<String> trainWords;
    private final List<String> heldOutWords;

    public InstructionTasks(List<String> trainWords, List<String> heldOutWords) {
        if (trainWords.size() < 3 || heldOutWords.size() < 3) {
            throw new IllegalArgumentException("need at least 3 training and 3 held-out words");
        }
        this.trainWords = List.copyOf(trainWords);
        this.heldOutWords = List.copyOf(heldOutWords);
    }

    /** The built-in word lists, kept to words the teacher's tokenizer writes in at most two tokens. */
    public static InstructionTasks builtin(BpeTokenizer teacher) {
        CuteTasks cute = CuteTasks.builtin();
        return new InstructionTasks(
                cute.trainWords().stream().filter(w -> teacher.encodeIds(w).length <= 2).toList(),
                cute.heldOutWords().stream().filter(w -> teacher.encodeIds(w).length <= 2).toList());
    }

    public List<String> trainWords() {
        return trainWords;
    }

    public List<String> heldOutWords() {
        return heldOutWords;
    }

    /** {@code n} training documents, tasks in turn, from the training words. */
    public List<Document> training(int n, long seed) {
        Random rnd = new Random(seed);
        List<Document> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(example(Task.values()[i % Task.values().length], trainWords, rnd).document("instruct-" + i));
        }
        return out;
    }

    /** {@code perTask} held-out examples of every task. */
    public List<Example> heldOut(int perTask, long seed) {
        Random rnd = new Random(seed ^ 0x5eedL);
        List<Example> out = new ArrayList<>();
        for (Task t : Task.values()) {
            for (int i = 0; i < perTask; i++) {
                out.add(example(t, heldOutWords, rnd));
            }
        }
        return out;
    }

    static Example example(Task task, List<String> words, Random rnd) {
        if (task == Task.REPEAT) {
            String w = words.get(rnd.nextInt(words.size()));
            return new Example(task, task.question + "\n" + w, w);
        }
        int n = 3 + rnd.nextInt(2);
        List<String> list = new ArrayList<>(n);
        while (list.size() < n) {
            String w = words.get(rnd.nextInt(words.size()));
            if (!list.contains(w)) {
                list.add(w);
            }
        }
        return new Example(task, task.question + "\n" + String.join("\n", list), task == Task.FIRST ? list.get(0) : list.get(n - 1));
    }

    /** Exact-match accuracy of greedy answers (text up to the end or the first newline, trimmed), per task and overall. */
    public static Accuracy exactMatch(Generator model, List<Example> examples) {
        return exactMatch(model, examples, null);
    }

    /** {@link #exactMatch(Generator, List)} with prompts in the model's chat template (null: the fixed format). */
    public static Accuracy exactMatch(Generator model, List<Example> examples, ChatTemplate template) {
        Map<String, int[]> perTask = new LinkedHashMap<>();
        int correct = 0;
        for (Example e : examples) {
            String out = model.generate(e.prompt(template), e.answer().getBytes(StandardCharsets.UTF_8).length + 4);
            int nl = out.indexOf('\n');
            boolean ok = (nl >= 0 ? out.substring(0, nl) : out).trim().equals(e.answer());
            correct += ok ? 1 : 0;
            int[] c = perTask.computeIfAbsent(e.task().id(), k -> new int[2]);
            c[0] += ok ? 1 : 0;
            c[1]++;
        }
        Map<String, Double> tasks = new LinkedHashMap<>();
        perTask.forEach((k, v) -> tasks.put(k, (double) v[0] / v[1]));
        return new Accuracy(examples.isEmpty() ? 0 : (double) correct / examples.size(), examples.size(), tasks);
    }

    /**
     * Bits per byte a model spends on the gold answers (and their closing newline) after the prompts: the
     * likelihood view of {@link #exactMatch}, which still moves when a small model rarely gets a word exactly right.
     *
     * @param bitsPerByte bits per UTF-8 byte of a whole text (as {@code Olmo.bitsPerByte}); answer bits are the
     *                    difference between prompt + answer and prompt alone
     */
    public static double answerBitsPerByte(ToDoubleFunction<String> bitsPerByte, List<Example> examples) {
        double bits = 0;
        long bytes = 0;
        for (Example e : examples) {
            String prompt = e.prompt(), full = prompt + e.answer() + "\n";
            int pb = prompt.getBytes(StandardCharsets.UTF_8).length, fb = full.getBytes(StandardCharsets.UTF_8).length;
            bits += bitsPerByte.applyAsDouble(full) * fb - bitsPerByte.applyAsDouble(prompt) * pb;
            bytes += fb - pb;
        }
        return bytes == 0 ? Double.NaN : bits / bytes;
    }

    /** Greedy generation of up to {@code maxNewBytes} bytes after a prompt (e.g. {@code ScoringModel::generate}). */
    @FunctionalInterface
    public interface Generator {
        String generate(String prompt, int maxNewBytes);
    }

    /** Overall and per-task exact match. */
    public record Accuracy(double overall, int examples, Map<String, Double> perTask) {
        @Override
        public String toString() {
            String tasks = perTask.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "));
            return String.format(Locale.ROOT, "exact match %.3f over %d prompts (%s)", overall, examples, tasks);
        }
    }
}
