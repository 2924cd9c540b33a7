package io.bolmo4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

class CuteTasksTest {
    private static CuteTasks gen;
    private static Set<String> cute;
    private static Map<String, Set<String>> synonyms = new HashMap<>();

    @BeforeAll
    static void setUp() {
        gen = CuteTasks.builtin();
        cute = new HashSet<>(CuteTasks.cuteTestWords());
        for (String line : DatasetsLocator.lines("words/synonyms.tsv.gz")) {
            String[] f = line.split("\t");
            synonyms.put(f[0], new HashSet<>(Arrays.asList(f[1].split(" "))));
        }
    }

    @Test
    void theCuteWordListIsTheSpellInputColumn() {
        assertEquals(1000, cute.size());
        assertTrue(cute.containsAll(List.of("the", "and", "yes", "word")));
        // The committed SCOWL list really contains many of them, so the exclusion has work to do.
        long overlap = DatasetsLocator.lines("words/english-words.txt.gz").stream().filter(cute::contains).count();
        assertTrue(overlap > 900, "overlap " + overlap);
        assertTrue(gen.trainWords().stream().noneMatch(cute::contains));
        assertTrue(gen.heldOutWords().stream().noneMatch(cute::contains));
    }

    private static List<CuteExample> sample(CuteTask task, int n, long seed) {
        Iterator<CuteExample> it = gen.examples(seed, List.of(task));
        return IntStream.range(0, n).mapToObj(i -> it.next()).collect(Collectors.toList());
    }

    @Test
    void noExampleOfAnyTaskUsesACuteTestWord() {
        for (CuteTask task : gen.tasks()) {
            List<CuteExample> examples = new ArrayList<>(sample(task, 3000, 11));
            examples.addAll(gen.heldOut(task, 300, 12));
            for (CuteExample e : examples) {
                List<String> fields = new ArrayList<>(e.inputs());
                if (!e.answer().equals("Yes") && !e.answer().equals("No")) {
                    fields.add(e.answer());
                }
                for (String f : fields) {
                    for (String token : f.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
                        assertFalse(cute.contains(token), task + ": " + token + " in " + e);
                    }
                }
            }
        }
    }

    @Test
    void answersAgreeWithAnIndependentRecomputation() {
        for (CuteTask task : gen.tasks()) {
            for (CuteExample e : sample(task, 1500, 21)) {
                assertEquals(task, e.kind());
                assertEquals(expected(e), e.answer(), e.toString());
                assertTrue(e.prompt().startsWith("Question: ") && e.text().equals(e.prompt() + " Answer: \"" + e.answer() + "\""));
                for (String input : e.inputs()) {
                    assertTrue(e.prompt().contains(input), input + " not in " + e.prompt());
                }
            }
        }
    }

    /** Recomputes a generated answer from the inputs alone, with code written independently of the generator. */
    private static String expected(CuteExample e) {
        List<String> in = e.inputs();
        switch (e.kind()) {
            case SPELL: {
                StringBuilder sb = new StringBuilder();
                for (char c : in.get(0).toCharArray()) {
                    sb.append(sb.length() == 0 ? "" : " ").append(c);
                }
                return sb.toString();
            }
            case SPELL_INVERSE:
                return in.get(0).replace(" ", "");
            case CONTAINS_CHAR:
                return in.get(1).contains(in.get(0)) ? "Yes" : "No";
            case CONTAINS_WORD:
                return words(in.get(1)).stream().anyMatch(w -> w.equalsIgnoreCase(in.get(0))) ? "Yes" : "No";
            case ORTH: {
                int d1 = editDistance(in.get(0), in.get(1));
                int d2 = editDistance(in.get(0), in.get(2));
                assertNotEquals(d1, d2, "orth candidates must not tie: " + in);
                return d1 < d2 ? in.get(1) : in.get(2);
            }
            case SEM: {
                Set<String> syn = synonyms.getOrDefault(in.get(0), Set.of());
                boolean first = syn.contains(in.get(1));
                String other = first ? in.get(2) : in.get(1);
                assertTrue(first != syn.contains(in.get(2)), "exactly one candidate is a WordNet synonym: " + in);
                assertEquals(1, editDistance(in.get(0), other), "the distractor is a one-letter edit: " + in);
                return first ? in.get(1) : in.get(2);
            }
            case INS_CHAR: {
                StringBuilder sb = new StringBuilder();
                for (char c : in.get(2).toCharArray()) {
                    sb.append(c);
                    if (c == in.get(1).charAt(0)) {
                        sb.append(in.get(0));
                    }
                }
                assertTrue(in.get(2).contains(in.get(1)), "the letter to follow must occur");
                return sb.toString();
            }
            case DEL_CHAR: {
                assertTrue(in.get(1).contains(in.get(0)));
                return in.get(1).chars().filter(c -> c != in.get(0).charAt(0))
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            }
            case SUB_CHAR: {
                assertTrue(in.get(2).contains(in.get(0)));
                char[] cs = in.get(2).toCharArray();
                for (int i = 0; i < cs.length; i++) {
                    cs[i] = cs[i] == in.get(0).charAt(0) ? in.get(1).charAt(0) : cs[i];
                }
                return new String(cs);
            }
            case SWAP_CHAR: {
                String w = in.get(2);
                int i = w.indexOf(in.get(0));
                int j = w.indexOf(in.get(1));
                assertTrue(i >= 0 && j >= 0 && i != j && i == w.lastIndexOf(in.get(0)) && j == w.lastIndexOf(in.get(1)));
                char[] cs = w.toCharArray();
                cs[i] = w.charAt(j);
                cs[j] = w.charAt(i);
                return new String(cs);
            }
            case INS_WORD: {
                List<String> out = new ArrayList<>();
                for (String w : words(in.get(2))) {
                    out.add(w);
                    if (w.equals(in.get(1))) {
                        out.add(in.get(0));
                    }
                }
                return sentence(out);
            }
            case DEL_WORD:
                return sentence(words(in.get(1)).stream().filter(w -> !w.equals(in.get(0))).collect(Collectors.toList()));
            case SUB_WORD:
                return sentence(words(in.get(2)).stream().map(w -> w.equals(in.get(0)) ? in.get(1) : w).collect(Collectors.toList()));
            case SWAP_WORD: {
                List<String> ws = words(in.get(2));
                int i = ws.indexOf(in.get(0));
                int j = ws.indexOf(in.get(1));
                assertTrue(i >= 0 && j >= 0 && i == ws.lastIndexOf(in.get(0)) && j == ws.lastIndexOf(in.get(1)));
                ws.set(i, in.get(1));
                ws.set(j, in.get(0));
                return sentence(ws);
            }
            default:
                throw new AssertionError(e);
        }
    }

    private static List<String> words(String sentence) {
        assertTrue(sentence.endsWith("."), sentence);
        return new ArrayList<>(Arrays.asList(sentence.substring(0, sentence.length() - 1).split(" ")));
    }

    private static String sentence(List<String> words) {
        return String.join(" ", words) + ".";
    }

    /** Recursive memoised edit distance, a different formulation from the generator's two-row version. */
    private static int editDistance(String a, String b) {
        Integer[][] memo = new Integer[a.length() + 1][b.length() + 1];
        return dist(a, b, a.length(), b.length(), memo);
    }

    private static int dist(String a, String b, int i, int j, Integer[][] memo) {
        if (i == 0 || j == 0) {
            return i + j;
        }
        if (memo[i][j] == null) {
            int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
            memo[i][j] = Math.min(dist(a, b, i - 1, j - 1, memo) + cost,
                    Math.min(dist(a, b, i - 1, j, memo), dist(a, b, i, j - 1, memo)) + 1);
        }
        return memo[i][j];
    }

    @Test
    void generationIsSeededAndDeterministic() {
        Iterator<CuteExample> a = gen.examples(5);
        Iterator<CuteExample> b = gen.examples(5);
        Iterator<CuteExample> c = gen.examples(6);
        List<CuteExample> la = new ArrayList<>();
        List<CuteExample> lc = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            CuteExample x = a.next();
            assertEquals(x, b.next());
            la.add(x);
            lc.add(c.next());
        }
        assertNotEquals(la, lc);
        Set<String> kinds = la.stream().map(CuteExample::task).collect(Collectors.toSet());
        assertEquals(14, gen.tasks().size());
        assertEquals(14, kinds.size(), "all 14 kinds appear in 300 draws");
        assertEquals(gen.heldOut(CuteTask.SWAP_WORD, 20, 3), gen.heldOut(CuteTask.SWAP_WORD, 20, 3));
    }

    @Test
    void yesNoTasksAreRoughlyBalanced() {
        for (CuteTask task : List.of(CuteTask.CONTAINS_CHAR, CuteTask.CONTAINS_WORD)) {
            long yes = sample(task, 2000, 4).stream().filter(e -> e.answer().equals("Yes")).count();
            assertTrue(yes > 850 && yes < 1150, task + " yes=" + yes);
        }
    }

    @Test
    void heldOutExamplesUseOnlyHeldOutWordsAndTrainingOnlyTrainWords() {
        Set<String> held = new HashSet<>(gen.heldOutWords());
        Set<String> train = new HashSet<>(gen.trainWords());
        assertTrue(held.stream().noneMatch(train::contains));
        List<CuteExample> heldOut = gen.heldOut(CuteTask.SPELL, 200, 1);
        assertEquals(200, heldOut.stream().map(CuteExample::prompt).distinct().count());
        assertTrue(heldOut.stream().allMatch(e -> held.contains(e.inputs().get(0))));
        assertTrue(sample(CuteTask.SPELL, 500, 1).stream().allMatch(e -> train.contains(e.inputs().get(0))));
        for (CuteExample e : sample(CuteTask.DEL_WORD, 300, 2)) {
            assertTrue(words(e.inputs().get(1)).stream().allMatch(w -> train.contains(w.toLowerCase(Locale.ROOT))), e.toString());
        }
    }

    @Test
    void mixInterleavesTheRequestedFractionAndKeepsTheBaseInOrder() {
        List<Document> base = IntStream.range(0, 4000).mapToObj(i -> new Document("b" + i, "base " + i, "base"))
                .collect(Collectors.toList());
        List<Document> mixed = new ArrayList<>();
        gen.mix(base.iterator(), 0.2, 9).forEachRemaining(mixed::add);
        List<Document> baseOut = mixed.stream().filter(d -> d.source().equals("base")).collect(Collectors.toList());
        assertEquals(base, baseOut);
        double share = (double) (mixed.size() - base.size()) / mixed.size();
        assertTrue(Math.abs(share - 0.2) < 0.02, "synthetic share " + share);
        assertTrue(mixed.stream().filter(d -> d.source().equals(CuteTasks.SOURCE)).allMatch(d -> d.text().startsWith("Question: ")));
        List<Document> again = new ArrayList<>();
        gen.mix(base.iterator(), 0.2, 9).forEachRemaining(again::add);
        assertEquals(mixed, again);
        List<Document> none = new ArrayList<>();
        gen.mix(base.iterator(), 0.0, 9).forEachRemaining(none::add);
        assertEquals(base, none);
        assertThrows(IllegalArgumentException.class, () -> gen.mix(base.iterator(), 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> gen.mix(base.iterator(), Double.NaN, 1));
    }

    @Test
    void badArgumentsAreRejected() {
        CuteTasks noSynonyms = new CuteTasks(DatasetsLocator.lines("words/english-words.txt.gz"), cute);
        assertEquals(13, noSynonyms.tasks().size());
        assertThrows(IllegalArgumentException.class, () -> noSynonyms.heldOut(CuteTask.SEM, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> noSynonyms.examples(1, List.of(CuteTask.SEM)));
        assertThrows(IllegalArgumentException.class, () -> gen.heldOut(CuteTask.SPELL, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> gen.examples(1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new CuteTasks(List.of("cat", "dog"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> CuteTask.fromId("nonsense"));
        assertEquals(CuteTask.SPELL, CuteTask.fromId("spell_rand"));
    }
}
