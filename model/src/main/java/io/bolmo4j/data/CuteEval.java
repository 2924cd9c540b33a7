package io.bolmo4j.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Evaluates a {@link ScoringModel} on the CUTE benchmark (the built-in copy in {@code datasets/cute/rendered}, or a
 * folder with {@code rendered/<task>.jsonl[.gz]} files) or on any list of
 * {@link CuteExample}s (e.g. {@link CuteTasks#heldOut}). Per task it reports:
 * <ul>
 *   <li>exact match: greedy generation after {@code prompt + " Answer: \""}, cut at the next {@code "}, equal to the
 *   answer (word tasks compared in lower case). Generation is asked for answer bytes + 1 bytes, which decides the
 *   match exactly as unlimited generation would: the byte after the answer must be the closing quote;</li>
 *   <li>teacher-forced greedy accuracy of the answer, and its bits per byte;</li>
 *   <li>two-way choice accuracy for contains_char/contains_word (Yes/No) and orth/sem (the two candidates):
 *   each option is scored followed by the closing quote (so that a prefix option gains nothing) and the gold one
 *   must have the strictly higher log-probability.</li>
 * </ul>
 * Instances are immutable; {@link #limit}, {@link #tasks} and {@link #generation} return modified copies.
 */
public final class CuteEval {
    /** System property naming the CUTE folder (the one holding {@code rendered/}). */
    public static final String PROPERTY = "bolmo4j.cute";
    /** Environment variable naming the CUTE folder. */
    public static final String ENV = "BOLMO4J_CUTE";

    private static final double LN2 = Math.log(2);

    /** Where the rendered examples come from: the task names and a reader per task. */
    private record Source(String description, List<String> tasks, Function<String, InputOpener> opener) {
    }

    private final Source source;
    private final int limit;
    private final List<String> tasks;
    private final boolean generation;

    /**
     * An evaluator over a CUTE folder holding {@code rendered/<task>.jsonl} (or {@code .jsonl.gz}) files, all tasks,
     * no limit, with generation.
     *
     * @throws IllegalArgumentException if {@code dir/rendered} is not a directory
     */
    public CuteEval(Path dir) {
        this(folder(dir), Integer.MAX_VALUE, List.of(), true);
    }

    private CuteEval(Source source, int limit, List<String> tasks, boolean generation) {
        this.source = source;
        this.limit = limit;
        this.tasks = List.copyOf(tasks);
        this.generation = generation;
    }

    /** The CUTE test set shipped in the repository's {@code datasets/cute} (and in the jar). */
    public static CuteEval builtin() {
        List<String> names = DatasetsLocator.lines("cute/manifest.tsv").stream()
                .map(line -> line.substring(0, line.indexOf('\t')))
                .filter(f -> f.startsWith("rendered/") && f.endsWith(".jsonl"))
                .map(f -> f.substring("rendered/".length(), f.length() - ".jsonl".length()))
                .sorted().collect(Collectors.toList());
        Source builtin = new Source("datasets/cute/rendered", names,
                task -> DatasetsLocator.open("cute/rendered/" + task + ".jsonl.gz"));
        return new CuteEval(builtin, Integer.MAX_VALUE, List.of(), true);
    }

    /** The CUTE folder named by {@value #PROPERTY} / {@value #ENV} when set, else the built-in copy. */
    public static CuteEval locate() {
        String configured = System.getProperty(PROPERTY, System.getenv(ENV));
        return configured != null && !configured.isBlank() ? new CuteEval(Path.of(configured)) : builtin();
    }

    private static Source folder(Path dir) {
        Path rendered = dir.resolve("rendered");
        if (!Files.isDirectory(rendered)) {
            throw new IllegalArgumentException("no rendered/ folder in CUTE dir " + dir.toAbsolutePath());
        }
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(rendered)) {
            list.forEach(p -> {
                String name = p.getFileName().toString().replaceFirst("\\.gz$", "");
                if (name.endsWith(".jsonl")) {
                    files.put(name.substring(0, name.length() - ".jsonl".length()), p);
                }
            });
        } catch (IOException e) {
            throw new CorpusException("cannot list " + rendered + ": " + e.getMessage(), e);
        }
        return new Source(rendered.toString(), List.copyOf(files.keySet()), task -> InputOpener.of(files.get(task)));
    }

    /** A copy that scores only the first {@code perTask} examples of each task. */
    public CuteEval limit(int perTask) {
        if (perTask < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + perTask);
        }
        return new CuteEval(source, perTask, tasks, generation);
    }

    /** A copy restricted to the named tasks (e.g. {@code "spell", "orth"}); empty means all. */
    public CuteEval tasks(List<String> names) {
        List<String> available = availableTasks();
        for (String n : names) {
            if (!available.contains(n)) {
                throw new IllegalArgumentException("unknown CUTE task " + n + "; available: " + available);
            }
        }
        return new CuteEval(source, limit, names, generation);
    }

    /** A copy with greedy generation (exact match) switched on or off; off leaves exact match NaN. */
    public CuteEval generation(boolean on) {
        return new CuteEval(source, limit, tasks, on);
    }

    /** All task names present in {@code rendered/}, sorted. */
    public List<String> availableTasks() {
        return source.tasks();
    }

    /** The selected tasks (all available ones unless {@link #tasks} was given). */
    public List<String> selectedTasks() {
        return tasks.isEmpty() ? availableTasks() : tasks;
    }

    /** The first {@code limit} examples of one task from {@code rendered/<task>.jsonl}. */
    public List<CuteExample> examples(String task) {
        if (!source.tasks().contains(task)) {
            throw new IllegalArgumentException("unknown CUTE task " + task + "; available: " + source.tasks());
        }
        String name = source.description() + "/" + task + ".jsonl";
        List<CuteExample> out = new ArrayList<>();
        BufferedReader reader = source.opener().apply(task).openReader(name);
        try {
            String line;
            int lineNumber = 0;
            while (out.size() < limit && (line = InputOpener.readLine(reader, name)) != null) {
                lineNumber++;
                if (!line.isBlank()) {
                    out.add(parse(line, name + ":" + lineNumber));
                }
            }
        } finally {
            InputOpener.close(reader);
        }
        return out;
    }

    /** Scores every selected task; one result per task in {@link #selectedTasks()} order. */
    public List<CuteTaskResult> evaluate(ScoringModel model) {
        Map<String, List<CuteExample>> sets = new LinkedHashMap<>();
        for (String task : selectedTasks()) {
            sets.put(task, examples(task));
        }
        return evaluate(model, sets, generation);
    }

    /**
     * Scores arbitrary example sets, e.g. held-out generated ones.
     *
     * @param model      the model
     * @param sets       examples per task name, in output order
     * @param generation whether to run greedy generation for exact match
     */
    public static List<CuteTaskResult> evaluate(ScoringModel model, Map<String, List<CuteExample>> sets, boolean generation) {
        return sets.entrySet().stream().map(e -> evaluateTask(model, e.getKey(), e.getValue(), generation)).toList();
    }

    private static CuteTaskResult evaluateTask(ScoringModel model, String task, List<CuteExample> examples, boolean generation) {
        int exact = 0;
        int forced = 0;
        int choiceRight = 0;
        int choiceCount = 0;
        double nats = 0;
        long bytes = 0;
        for (CuteExample e : examples) {
            String context = e.context();
            int answerBytes = e.answer().getBytes(StandardCharsets.UTF_8).length;
            if (generation && matches(e, model.generate(context, answerBytes + 1))) {
                exact++;
            }
            ContinuationScore s = model.score(context, e.answer());
            forced += s.allGreedy() ? 1 : 0;
            nats -= s.totalLogProb();
            bytes += answerBytes;
            List<String> choices = e.choices();
            if (choices.size() == 2 && choices.contains(e.answer())) {
                String other = choices.get(0).equals(e.answer()) ? choices.get(1) : choices.get(0);
                double gold = model.score(context, e.answer() + "\"").totalLogProb();
                double alt = model.score(context, other + "\"").totalLogProb();
                choiceRight += gold > alt ? 1 : 0;
                choiceCount++;
            }
        }
        int n = examples.size();
        return new CuteTaskResult(task, n,
                generation && n > 0 ? (double) exact / n : Double.NaN,
                n > 0 ? (double) forced / n : Double.NaN,
                bytes > 0 ? nats / LN2 / bytes : Double.NaN,
                choiceCount > 0 ? (double) choiceRight / choiceCount : Double.NaN);
    }

    /** Whether a generation, cut at its first {@code "}, is the answer (lower-cased for word tasks). */
    static boolean matches(CuteExample e, String generated) {
        int quote = generated.indexOf('"');
        String predicted = quote >= 0 ? generated.substring(0, quote) : generated;
        return e.kind().wordLevel() ? predicted.toLowerCase(Locale.ROOT).equals(e.answer().toLowerCase(Locale.ROOT))
                : predicted.equals(e.answer());
    }

    private static CuteExample parse(String line, String where) {
        try {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            List<String> inputs = o.getAsJsonArray("inputs").asList().stream().map(JsonElement::getAsString).toList();
            return new CuteExample(o.get("id").getAsString(), o.get("task").getAsString(), inputs,
                    o.get("prompt").getAsString(), o.get("answer").getAsString());
        } catch (RuntimeException e) {
            throw new CorpusException("malformed CUTE line at " + where + ": " + e.getMessage(), e);
        }
    }

    /** A Markdown table of the results ({@code -} for NaN). */
    public static String toMarkdown(List<CuteTaskResult> results) {
        StringBuilder sb = new StringBuilder("| task | n | exact match | TF greedy acc | answer bits/byte | choice acc |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        results.forEach(r -> sb.append("| ").append(String.join(" | ", cells(r, "-"))).append(" |").append(System.lineSeparator()));
        return sb.toString();
    }

    /** CSV with a header line (empty fields for NaN). */
    public static String toCsv(List<CuteTaskResult> results) {
        StringBuilder sb = new StringBuilder("task,examples,exact_match,teacher_forced_accuracy,bits_per_byte,choice_accuracy\n");
        results.forEach(r -> sb.append(String.join(",", cells(r, ""))).append('\n'));
        return sb.toString();
    }

    /** A result's row: task, examples and the four rates ({@code nan} for NaN). */
    private static List<String> cells(CuteTaskResult r, String nan) {
        return List.of(r.task(), Integer.toString(r.examples()), fmt(r.exactMatch(), nan),
                fmt(r.teacherForcedAccuracy(), nan), fmt(r.bitsPerByte(), nan), fmt(r.choiceAccuracy(), nan));
    }

    private static String fmt(double v, String nan) {
        return Double.isNaN(v) ? nan : String.format(Locale.ROOT, "%.4f", v);
    }
}
