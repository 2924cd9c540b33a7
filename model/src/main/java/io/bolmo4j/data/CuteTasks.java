package io.bolmo4j.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Seeded generator of CUTE-style synthetic examples (Bolmo paper, Appendix C) from an English word list,
 * never using the CUTE test words.
 *
 * <p>Words: lower-case ASCII words of at least 3 letters, minus the excluded (CUTE) words. About 10% of them
 * ({@code hashCode() % 10 == 0}, a fixed rule) are held out: training examples ({@link #examples},
 * {@link #documents}, {@link #mix}) never use them, {@link #heldOut} uses only them, so an instruct model can be
 * measured on unseen words. Sentences for the word tasks are 3 to 10 random pool words, the first capitalised,
 * ending in a period; sometimes a word repeats so that "every instance" matters. Every example is also checked
 * so that no excluded word appears as a token of its inputs or answer (Yes/No labels aside).
 *
 * <p>Prompts use a fixed zero-shot template, the question line of CUTE's template:
 * {@code Question: Spell out the word "cat". Answer: "c a t"}. {@link CuteTask#SEM} is not generated (no synonym
 * source); all other 13 kinds are.
 */
public final class CuteTasks {
    /** The task kinds this generator produces (all but {@link CuteTask#SEM}). */
    public static final List<CuteTask> GENERATED = List.of(CuteTask.SPELL, CuteTask.SPELL_INVERSE,
            CuteTask.CONTAINS_CHAR, CuteTask.CONTAINS_WORD, CuteTask.ORTH, CuteTask.INS_CHAR, CuteTask.DEL_CHAR,
            CuteTask.SUB_CHAR, CuteTask.SWAP_CHAR, CuteTask.INS_WORD, CuteTask.DEL_WORD, CuteTask.SUB_WORD,
            CuteTask.SWAP_WORD);
    /** Source name of generated documents. */
    public static final String SOURCE = "cute_synthetic";

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    private final Set<String> excluded;
    private final List<String> trainWords;
    private final List<String> heldOutWords;

    /**
     * A generator over the given words.
     *
     * @param words    candidate words; only lower-case ASCII words of 3+ letters are used
     * @param excluded words never to use (compared in lower case), e.g. {@link #cuteTestWords()}
     * @throws IllegalArgumentException if fewer than 100 usable words remain in either pool
     */
    public CuteTasks(Collection<String> words, Collection<String> excluded) {
        this.excluded = new HashSet<>();
        excluded.forEach(w -> this.excluded.add(w.toLowerCase(Locale.ROOT)));
        List<String> train = new ArrayList<>();
        List<String> held = new ArrayList<>();
        for (String w : new TreeSet<>(words)) {
            if (w.matches("[a-z]{3,}") && !this.excluded.contains(w)) {
                (isHeldOut(w) ? held : train).add(w);
            }
        }
        if (train.size() < 100 || held.size() < 100) {
            throw new IllegalArgumentException("too few usable words: " + train.size() + " train, " + held.size() + " held out");
        }
        this.trainWords = List.copyOf(train);
        this.heldOutWords = List.copyOf(held);
    }

    /** The generator over the committed SCOWL word list, excluding the 1000 CUTE test words. */
    public static CuteTasks builtin() {
        return new CuteTasks(DatasetsLocator.lines("words/english-words.txt.gz"), cuteTestWords());
    }

    /** The 1000 CUTE test words ({@code datasets/cute/test-words.txt}, from CUTE's spell.tsv, MIT). */
    public static List<String> cuteTestWords() {
        return DatasetsLocator.lines("cute/test-words.txt");
    }

    /** Words used by training examples (sorted). */
    public List<String> trainWords() {
        return trainWords;
    }

    /** Words reserved for {@link #heldOut} (sorted). */
    public List<String> heldOutWords() {
        return heldOutWords;
    }

    /** An endless deterministic stream of training examples, task kinds drawn uniformly from {@link #GENERATED}. */
    public Iterator<CuteExample> examples(long seed) {
        return examples(seed, GENERATED);
    }

    /**
     * An endless deterministic stream of training examples of the given kinds, drawn uniformly.
     *
     * @throws IllegalArgumentException if {@code tasks} is empty or contains {@link CuteTask#SEM}
     */
    public Iterator<CuteExample> examples(long seed, List<CuteTask> tasks) {
        List<CuteTask> kinds = checkTasks(tasks);
        Random random = new Random(seed);
        return new LazyIterator<>() {
            private long n;

            @Override
            protected CuteExample computeNext() {
                CuteTask task = kinds.get(random.nextInt(kinds.size()));
                return generate(task, random, trainWords, "cute/" + seed + "/" + n++);
            }
        };
    }

    /** {@link #examples(long)} as training documents ({@link CuteExample#text()}, source {@value #SOURCE}). */
    public Iterator<Document> documents(long seed) {
        Iterator<CuteExample> examples = examples(seed);
        return new LazyIterator<>() {
            @Override
            protected Document computeNext() {
                CuteExample e = examples.next();
                return new Document(e.id(), e.text(), SOURCE);
            }
        };
    }

    /**
     * Interleaves synthetic documents into {@code base}: before each base document, as many synthetic ones are
     * inserted as a seeded coin with success probability {@code fraction} says, so that on average
     * {@code fraction} of the output is synthetic. Ends when {@code base} ends. Deterministic given the seed and base.
     *
     * @throws IllegalArgumentException unless {@code 0 <= fraction < 1}
     */
    public Iterator<Document> mix(Iterator<Document> base, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
        }
        Random coin = new Random(seed);
        Iterator<Document> synthetic = documents(seed ^ 0x5DEECE66DL);
        return new LazyIterator<>() {
            @Override
            protected Document computeNext() {
                if (!base.hasNext()) {
                    return null;
                }
                return coin.nextDouble() < fraction ? synthetic.next() : base.next();
            }
        };
    }

    /**
     * {@code n} distinct held-out instruction examples of one kind, using only held-out words, deterministic.
     *
     * @throws IllegalArgumentException for {@link CuteTask#SEM} or negative {@code n}
     */
    public List<CuteExample> heldOut(CuteTask task, int n, long seed) {
        checkTasks(List.of(task));
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        Random random = new Random(seed);
        Set<String> seen = new HashSet<>();
        List<CuteExample> out = new ArrayList<>();
        for (int attempts = 0; out.size() < n; attempts++) {
            if (attempts > 100L * n + 1000) {
                throw new IllegalStateException("cannot find " + n + " distinct " + task.id() + " examples");
            }
            CuteExample e = generate(task, random, heldOutWords, "cute-heldout/" + task.id() + "/" + out.size());
            if (seen.add(e.prompt())) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<CuteTask> checkTasks(List<CuteTask> tasks) {
        if (tasks.isEmpty() || tasks.contains(CuteTask.SEM)) {
            throw new IllegalArgumentException("tasks must be non-empty and must not include SEM: " + tasks);
        }
        return List.copyOf(tasks);
    }

    /** Generates until the example uses no excluded word (rarely more than one try). */
    private CuteExample generate(CuteTask task, Random random, List<String> pool, String id) {
        while (true) {
            CuteExample e = new Example(random, pool).make(task, id);
            if (e != null && !usesExcluded(e)) {
                return e;
            }
        }
    }

    private boolean usesExcluded(CuteExample e) {
        List<String> texts = new ArrayList<>(e.inputs());
        if (!e.kind().twoWayChoice() || e.kind() == CuteTask.ORTH) {
            texts.add(e.answer());
        }
        for (String text : texts) {
            for (String token : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
                if (excluded.contains(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isHeldOut(String word) {
        return Math.floorMod(word.hashCode(), 10) == 0;
    }

    /** Levenshtein distance (insertions, deletions, substitutions of one char each cost 1). */
    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** One generation attempt; {@link #make} returns null when the drawn word or sentence does not fit the task. */
    private static final class Example {
        private final Random random;
        private final List<String> pool;

        Example(Random random, List<String> pool) {
            this.random = random;
            this.pool = pool;
        }

        CuteExample make(CuteTask task, String id) {
            String w = word();
            switch (task) {
                case SPELL:
                    return of(task, id, "Spell out the word \"" + w + "\".", spaced(w), w);
                case SPELL_INVERSE:
                    return of(task, id, "Write the word \"" + spaced(w) + "\".", w, spaced(w));
                case CONTAINS_CHAR: {
                    boolean yes = random.nextBoolean();
                    String c = yes ? charOf(w) : letterNotIn(w);
                    return c == null ? null : of(task, id, "Is there a \"" + c + "\" in \"" + w + "\"?", yes ? "Yes" : "No", c, w);
                }
                case ORTH:
                    return orth(id, w);
                case INS_CHAR: {
                    String x = charOf(w);
                    String l = letter();
                    return of(task, id, "Add an \"" + l + "\" after every \"" + x + "\" in \"" + w + "\".",
                            w.replace(x, x + l), l, x, w);
                }
                case DEL_CHAR: {
                    String x = charOf(w);
                    String answer = w.replace(x, "");
                    return answer.isEmpty() ? null
                            : of(task, id, "Delete every instance of \"" + x + "\" in \"" + w + "\".", answer, x, w);
                }
                case SUB_CHAR: {
                    String x = charOf(w);
                    String y = letterNotIn(w);
                    return y == null ? null
                            : of(task, id, "Substitute \"" + x + "\" with \"" + y + "\" in \"" + w + "\".", w.replace(x, y), x, y, w);
                }
                case SWAP_CHAR:
                    return swapChar(id, w);
                case CONTAINS_WORD:
                case INS_WORD:
                case DEL_WORD:
                case SUB_WORD:
                case SWAP_WORD:
                    return wordTask(task, id);
                default:
                    throw new IllegalArgumentException("not generated: " + task);
            }
        }

        private CuteExample orth(String id, String w) {
            String close = edit(w);
            String far = word();
            int near = levenshtein(w, close);
            if (near == 0 || levenshtein(w, far) < near + 2 || close.equals(far)) {
                return null;
            }
            boolean closeFirst = random.nextBoolean();
            String a = closeFirst ? close : far;
            String b = closeFirst ? far : close;
            return of(CuteTask.ORTH, id, "Closer in Levenshtein distance to \"" + w + "\": \"" + a + "\", \"" + b + "\".",
                    close, w, a, b);
        }

        private CuteExample swapChar(String id, String w) {
            List<Integer> unique = new ArrayList<>();
            for (int i = 0; i < w.length(); i++) {
                if (w.indexOf(w.charAt(i)) == w.lastIndexOf(w.charAt(i))) {
                    unique.add(i);
                }
            }
            if (unique.size() < 2) {
                return null;
            }
            Collections.shuffle(unique, random);
            int i = unique.get(0);
            int j = unique.get(1);
            char[] cs = w.toCharArray();
            cs[i] = w.charAt(j);
            cs[j] = w.charAt(i);
            String a = String.valueOf(w.charAt(i));
            String b = String.valueOf(w.charAt(j));
            return of(CuteTask.SWAP_CHAR, id, "Swap \"" + a + "\" and \"" + b + "\" in \"" + w + "\".", new String(cs), a, b, w);
        }

        private CuteExample wordTask(CuteTask task, String id) {
            List<String> s = sentence();
            if (s == null) {
                return null;
            }
            String sentence = render(s);
            String target = s.get(random.nextInt(s.size()));
            String fresh = word();
            if (contains(s, fresh)) {
                return null;
            }
            switch (task) {
                case CONTAINS_WORD: {
                    boolean yes = random.nextBoolean();
                    String q = yes ? target.toLowerCase(Locale.ROOT) : fresh;
                    return of(task, id, "Is there a \"" + q + "\" in \"" + sentence + "\"?", yes ? "Yes" : "No", q, sentence);
                }
                case INS_WORD: {
                    List<String> out = new ArrayList<>();
                    for (String t : s) {
                        out.add(t);
                        if (t.equals(target)) {
                            out.add(fresh);
                        }
                    }
                    return of(task, id, "Add \"" + fresh + "\" after every \"" + target + "\" in \"" + sentence + "\".",
                            render(out), fresh, target, sentence);
                }
                case DEL_WORD: {
                    List<String> out = new ArrayList<>(s);
                    out.removeIf(target::equals);
                    return out.isEmpty() ? null : of(task, id, "Delete every instance of \"" + target + "\" in \"" + sentence
                            + "\".", render(out), target, sentence);
                }
                case SUB_WORD: {
                    List<String> out = new ArrayList<>(s);
                    out.replaceAll(t -> t.equals(target) ? fresh : t);
                    return of(task, id, "Substitute \"" + target + "\" with \"" + fresh + "\" in \"" + sentence + "\".",
                            render(out), target, fresh, sentence);
                }
                default: {
                    int i = s.indexOf(target);
                    int j = random.nextInt(s.size());
                    if (i == j || Collections.frequency(s, s.get(i)) > 1 || Collections.frequency(s, s.get(j)) > 1) {
                        return null;
                    }
                    List<String> out = new ArrayList<>(s);
                    Collections.swap(out, i, j);
                    return of(task, id, "Swap \"" + s.get(i) + "\" and \"" + s.get(j) + "\" in \"" + sentence + "\".",
                            render(out), s.get(i), s.get(j), sentence);
                }
            }
        }

        /**
         * 3 to 10 pool words, the first capitalised; in a quarter of the sentences one later word is repeated.
         * Null if the first word recurs, so that case never decides which instances an operation touches.
         */
        private List<String> sentence() {
            int n = 3 + random.nextInt(8);
            List<String> s = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                s.add(word());
            }
            if (random.nextInt(4) == 0) {
                s.set(1 + random.nextInt(n - 1), s.get(1 + random.nextInt(n - 1)));
            }
            if (s.subList(1, n).contains(s.get(0))) {
                return null;
            }
            s.set(0, Character.toUpperCase(s.get(0).charAt(0)) + s.get(0).substring(1));
            return s;
        }

        private static boolean contains(List<String> sentence, String word) {
            return sentence.stream().anyMatch(t -> t.equalsIgnoreCase(word));
        }

        private static String render(List<String> words) {
            return String.join(" ", words) + ".";
        }

        private String edit(String w) {
            int i = random.nextInt(w.length() + 1);
            String l = letter();
            switch (random.nextInt(3)) {
                case 0:
                    return w.substring(0, i) + l + w.substring(i);
                case 1:
                    return i == w.length() ? w.substring(0, i - 1) : w.substring(0, i) + w.substring(i + 1);
                default:
                    return i == w.length() ? w.substring(0, i - 1) + l : w.substring(0, i) + l + w.substring(i + 1);
            }
        }

        private String word() {
            return pool.get(random.nextInt(pool.size()));
        }

        private String letter() {
            return String.valueOf(ALPHABET.charAt(random.nextInt(26)));
        }

        private String charOf(String w) {
            return String.valueOf(w.charAt(random.nextInt(w.length())));
        }

        private String letterNotIn(String w) {
            for (int tries = 0; tries < 100; tries++) {
                String l = letter();
                if (w.indexOf(l) < 0) {
                    return l;
                }
            }
            return null;
        }

        private static String spaced(String w) {
            return String.join(" ", w.split(""));
        }

        private static CuteExample of(CuteTask task, String id, String question, String answer, String... inputs) {
            return new CuteExample(id, task.id(), List.of(inputs), "Question: " + question, answer);
        }
    }
}
