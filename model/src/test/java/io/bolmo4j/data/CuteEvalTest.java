package io.bolmo4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CuteEvalTest {
    private static final double HIT = Math.log(0.99);
    private static final double MISS = Math.log(1e-9);

    /**
     * A fake byte-level model: for each context it "knows" a target text; teacher forcing gives each byte that
     * equals the target's byte at that position probability 0.99 (and calls it the argmax), any other byte 1e-9.
     */
    private static final class FakeModel implements ScoringModel {
        private final Function<String, String> target;
        private final Function<String, String> generation;

        FakeModel(Function<String, String> target, Function<String, String> generation) {
            this.target = target;
            this.generation = generation;
        }

        @Override
        public String generate(String prompt, int maxNewBytes) {
            return generation.apply(prompt);
        }

        @Override
        public ContinuationScore score(String context, String continuation) {
            byte[] want = target.apply(context).getBytes(StandardCharsets.UTF_8);
            byte[] got = continuation.getBytes(StandardCharsets.UTF_8);
            double[] lp = new double[got.length];
            boolean[] greedy = new boolean[got.length];
            for (int i = 0; i < got.length; i++) {
                greedy[i] = i < want.length && want[i] == got[i];
                lp[i] = greedy[i] ? HIT : MISS;
            }
            return new ContinuationScore(lp, greedy);
        }
    }

    private static FakeModel oracle(CuteEval eval, Function<String, String> answerToGeneration) {
        Map<String, String> gold = new HashMap<>();
        for (String task : eval.selectedTasks()) {
            for (CuteExample e : eval.examples(task)) {
                gold.put(e.context(), e.answer());
            }
        }
        return new FakeModel(c -> gold.get(c) + "\"", c -> answerToGeneration.apply(gold.get(c)));
    }

    @Test
    void readsTheRenderedFilesWithALimit() throws IOException {
        CuteEval eval = CuteEval.locate();
        assertEquals(21, eval.availableTasks().size());
        List<CuteExample> all = eval.examples("spell");
        assertEquals(1000, all.size());
        List<CuteExample> first = eval.limit(50).examples("spell");
        assertEquals(all.subList(0, 50), first);
        List<String> tsv = tsv("spell").subList(1, 51);
        assertEquals(tsv.stream().map(l -> l.split("\t")[0]).collect(Collectors.toList()),
                first.stream().map(e -> e.inputs().get(0)).collect(Collectors.toList()));
        assertTrue(first.get(0).context().endsWith("Question: Spell out the word \"the\". Answer: \""));
    }

    @Test
    void anOracleScoresPerfectlyOnEveryTask() {
        CuteEval eval = CuteEval.locate().limit(20);
        List<CuteTaskResult> results = eval.evaluate(oracle(eval, a -> a + "\" and then more text"));
        assertEquals(21, results.size());
        for (CuteTaskResult r : results) {
            assertEquals(20, r.examples());
            assertEquals(1.0, r.exactMatch(), r.task());
            assertEquals(1.0, r.teacherForcedAccuracy(), r.task());
            assertEquals(-HIT / Math.log(2), r.bitsPerByte(), 1e-12, r.task());
            if (CuteTask.fromId(r.task()).twoWayChoice()) {
                assertEquals(1.0, r.choiceAccuracy(), r.task());
            } else {
                assertTrue(Double.isNaN(r.choiceAccuracy()), r.task());
            }
        }
    }

    @Test
    void wordTasksCompareGenerationsInLowerCaseCharTasksDoNot() {
        CuteEval eval = CuteEval.locate().limit(30).tasks(List.of("swap_word", "del_word", "spell", "sub_char"));
        Map<String, Double> em = eval.evaluate(oracle(eval, a -> a.toUpperCase() + "\""))
                .stream().collect(Collectors.toMap(CuteTaskResult::task, CuteTaskResult::exactMatch));
        assertEquals(Map.of("swap_word", 1.0, "del_word", 1.0, "spell", 0.0, "sub_char", 0.0), em);
    }

    @Test
    void generationThatDoesNotStopAtTheQuoteIsWrong() {
        CuteEval eval = CuteEval.locate().limit(10).tasks(List.of("spell"));
        assertEquals(0.0, eval.evaluate(oracle(eval, a -> a + "x\"")).get(0).exactMatch());
        assertEquals(1.0, eval.evaluate(oracle(eval, a -> a)).get(0).exactMatch(), "end of text also ends the answer");
    }

    @Test
    void alwaysNoModelMatchesCountsDerivedFromTheTsv() throws IOException {
        int n = 200;
        CuteEval eval = CuteEval.locate().limit(n).tasks(List.of("contains_char", "contains_word"));
        FakeModel alwaysNo = new FakeModel(c -> "No\"", c -> "No\"");
        List<CuteTaskResult> results = eval.evaluate(alwaysNo);
        for (CuteTaskResult r : results) {
            List<String> labels = tsv(r.task()).subList(1, n + 1).stream()
                    .map(l -> l.substring(l.lastIndexOf('\t') + 1)).collect(Collectors.toList());
            long no = labels.stream().filter("No"::equals).count();
            long yes = labels.stream().filter("Yes"::equals).count();
            assertEquals(n, no + yes);
            assertTrue(no > 0 && yes > 0);
            double rate = (double) no / n;
            assertEquals(rate, r.exactMatch(), r.task());
            assertEquals(rate, r.teacherForcedAccuracy(), r.task());
            assertEquals(rate, r.choiceAccuracy(), r.task());
            // "No" = 2 matching bytes; "Yes" = 3 bytes that all differ from "No\"".
            double bits = (no * 2 * -HIT + yes * 3 * -MISS) / Math.log(2);
            assertEquals(bits / (2 * no + 3 * yes), r.bitsPerByte(), 1e-9, r.task());
        }
    }

    @Test
    void generationCanBeSwitchedOffAndTablesPrintNaNAsBlank() {
        CuteEval eval = CuteEval.locate().limit(5).tasks(List.of("orth", "spell")).generation(false);
        FakeModel never = new FakeModel(c -> "\u0000", c -> {
            throw new AssertionError("generate must not be called");
        });
        List<CuteTaskResult> results = eval.evaluate(never);
        assertTrue(Double.isNaN(results.get(0).exactMatch()));
        assertEquals(0.0, results.get(0).teacherForcedAccuracy());
        String csv = CuteEval.toCsv(results);
        assertEquals(3, csv.split("\n").length);
        assertTrue(csv.split("\n")[2].startsWith("spell,5,,0.0000,"), csv);
        assertTrue(csv.split("\n")[2].endsWith(","), "no choice accuracy for spell: " + csv);
        String md = CuteEval.toMarkdown(results);
        assertTrue(md.startsWith("| task | n |") && md.contains("| orth | 5 | - | 0.0000 |"), md);
    }

    @Test
    void heldOutGeneratedExamplesCanBeEvaluated() {
        CuteTasks gen = CuteTasks.builtin();
        Map<String, List<CuteExample>> sets = new LinkedHashMap<>();
        Map<String, String> gold = new HashMap<>();
        for (CuteTask t : List.of(CuteTask.SWAP_CHAR, CuteTask.CONTAINS_WORD)) {
            List<CuteExample> ex = gen.heldOut(t, 25, 1);
            sets.put(t.id(), ex);
            ex.forEach(e -> gold.put(e.context(), e.answer()));
        }
        FakeModel model = new FakeModel(c -> gold.get(c) + "\"", c -> gold.get(c) + "\"");
        for (CuteTaskResult r : CuteEval.evaluate(model, sets, true)) {
            assertEquals(25, r.examples());
            assertEquals(1.0, r.exactMatch());
        }
    }

    @Test
    void badConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CuteEval.locate().tasks(List.of("nope")));
        assertThrows(IllegalArgumentException.class, () -> CuteEval.locate().limit(0));
        assertThrows(IllegalArgumentException.class, () -> new CuteEval(Path.of("/nonexistent")));
        assertThrows(IllegalArgumentException.class, () -> new ContinuationScore(new double[] {0.5}, new boolean[] {true}));
        assertThrows(IllegalArgumentException.class, () -> new ContinuationScore(new double[0], new boolean[0]));
    }

    /** The benchmark's own TSV (header first): an independent record of what the rendered files must hold. */
    private static List<String> tsv(String task) {
        return DatasetsLocator.lines("cute/tsv/" + task + ".tsv.gz");
    }

    @Test
    void aFolderOfRenderedFilesWorksLikeTheBuiltInCopy(@TempDir Path dir) throws IOException {
        Path rendered = Files.createDirectories(dir.resolve("rendered"));
        List<CuteExample> builtin = CuteEval.builtin().limit(3).examples("orth");
        StringBuilder jsonl = new StringBuilder();
        for (CuteExample e : builtin) {
            JsonObject o = new JsonObject();
            o.addProperty("id", e.id());
            o.addProperty("task", e.task());
            JsonArray inputs = new JsonArray();
            e.inputs().forEach(inputs::add);
            o.add("inputs", inputs);
            o.addProperty("prompt", e.prompt());
            o.addProperty("answer", e.answer());
            jsonl.append(o).append('\n');
        }
        Files.writeString(rendered.resolve("orth.jsonl"), jsonl);
        CuteEval folder = new CuteEval(dir);
        assertEquals(List.of("orth"), folder.availableTasks());
        assertEquals(builtin, folder.examples("orth"));
        assertThrows(IllegalArgumentException.class, () -> folder.examples("spell"));
    }
}
