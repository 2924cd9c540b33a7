package io.bolmo4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Seeded generator of CUTE-style synthetic examples (Bolmo paper, Appendix C) from an English word list,
 * never using the CUTE test words.
 *
 * <p>Words: lower-case ASCII words of at least 3 letters, minus the excluded (CUTE) words. About 10% of them
 * ({@code hashCode() % 10 == 0}, a fixed rule) are held out: training examples ({@link #examples},
 * {@link #documents}, {@link #mix}) draw their words only from the rest, {@link #heldOut} only from them, so an
 * instruct model can be measured on unseen words (a one-letter edit made for orth/sem may still happen to spell a
 * word of the other side). Sentences for the word tasks are 3 to 10 random pool words (natural sentences are
 * impossible without the most common words, which CUTE uses), the first capitalised, ending in a period; sometimes
 * a word repeats so that "every instance" matters. Every example is also checked
 * so that no excluded word appears as a token of its inputs or answer (Yes/No labels aside).
 *
 * <p>Prompts use a fixed zero-shot template, the question line of CUTE's template:
 * {@code Question: Spell out the word "cat". Answer: "c a t"}. {@link CuteTask#SEM} needs a synonym map (the
 * built-in one is derived from WordNet 3.0): its right candidate is a synonym from the same pool, the distractor a
 * one-letter edit of the word, so spelling and meaning disagree as in CUTE.
 */
public final class CuteTasks {
    /** Source name of generated documents. */
    public static final String SOURCE = "cute_synthetic";

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    private final Set<String> excluded;
    private final Pool train;
    private final Pool heldOut;

    /** A generator without synonyms: {@link CuteTask#SEM} is not available. See the 3-argument constructor. */
    public CuteTasks(Collection<String> words, Collection<String> excluded) {
        this(words, excluded, Map.of());
    }

    /**
     * A generator over the given words.
     *
     * @param words    candidate words; only lower-case ASCII words of 3+ letters are used
     * @param excluded words never to use (compared in lower case), e.g. {@link #cuteTestWords()}
     * @param synonyms synonyms per word, for {@link CuteTask#SEM}; pairs with an unusable word are ignored
     * @throws IllegalArgumentException if fewer than 100 usable words remain in either pool
     */
    public CuteTasks(Collection<String> words, Collection<String> excluded, Map<String, ? extends Collection<String>> synonyms) {
        this.excluded = excluded.stream().map(w -> w.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<String> trainWords = new ArrayList<>();
        List<String> heldWords = new ArrayList<>();
        for (String w : new TreeSet<>(words)) {
            if (w.matches("[a-z]{3,}") && !this.excluded.contains(w)) {
                (isHeldOut(w) ? heldWords : trainWords).add(w);
            }
        }
        if (trainWords.size() < 100 || heldWords.size() < 100) {
            throw new IllegalArgumentException("too few usable words: " + trainWords.size() + " train, "
                    + heldWords.size() + " held out");
        }
        this.train = new Pool(trainWords, synonyms);
        this.heldOut = new Pool(heldWords, synonyms);
    }

    /** The committed SCOWL word list, WordNet synonyms and CUTE exclusion list. */
    public static CuteTasks builtin() {
        Map<String, List<String>> synonyms = new HashMap<>();
        for (String line : DatasetsLocator.lines("words/synonyms.tsv.gz")) {
            String[] f = line.split("\t");
            synonyms.put(f[0], List.of(f[1].split(" ")));
        }
        return new CuteTasks(DatasetsLocator.lines("words/english-words.txt.gz"), cuteTestWords(), synonyms);
    }

    /** The kinds this generator can produce: all 14, or all but {@link CuteTask#SEM} without synonyms. */
    public List<CuteTask> tasks() {
        boolean sem = !train.semWords.isEmpty() && !heldOut.semWords.isEmpty();
        return Arrays.stream(CuteTask.values()).filter(t -> sem || t != CuteTask.SEM).toList();
    }

    /** The 1000 CUTE test words ({@code datasets/cute/test-words.txt}, from CUTE's spell.tsv, MIT). */
    public static List<String> cuteTestWords() {
        return DatasetsLocator.lines("cute/test-words.txt");
    }

    /** Words used by training examples (sorted). */
    public List<String> trainWords() {
        return train.words;
    }

    /** Words reserved for {@link #heldOut} (sorted). */
    public List<String> heldOutWords() {
        return heldOut.words;
    }

    /** An endless deterministic stream of training examples, task kinds drawn uniformly from {@link #tasks()}. */
    public Iterator<CuteExample> examples(long seed) {
        return examples(seed, tasks());
    }

    /**
     * An endless deterministic stream of training examples of the given kinds, drawn uniformly.
     *
     * @throws IllegalArgumentException if {@code tasks} is empty or has a kind not in {@link #tasks()}
     */
    public Iterator<CuteExample> examples(long seed, List<CuteTask> tasks) {
        List<CuteTask> kinds = checkTasks(tasks);
        Random random = new Random(seed);
        return new LazyIterator<>() {
            private long n;

            @Override
            protected CuteExample computeNext() {
                CuteTask task = kinds.get(random.nextInt(kinds.size()));
                return generate(task, random, train, "cute/" + seed + "/" + n++);
            }
        };
    }

    /** {@link #examples(long)} as training documents ({@link CuteExample#text()}, source {@value #SOURCE}). */
    public Iterator<Document> documents(long seed) {
        Iterator<CuteExample> examples = examples(seed);
        return Stream.generate(examples::next).map(e -> new Document(e.id(), e.text(), SOURCE)).iterator();
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
     * @throws IllegalArgumentException for a kind not in {@link #tasks()} or negative {@code n}
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
            CuteExample e = generate(task, random, heldOut, "cute-heldout/" + task.id() + "/" + out.size());
            if (seen.add(e.prompt())) {
                out.add(e);
            }
        }
        return out;
    }

    private List<CuteTask> checkTasks(List<CuteTask> tasks) {
        if (tasks.isEmpty() || !tasks().containsAll(tasks)) {
            throw new IllegalArgumentException("tasks must be a non-empty subset of " + tasks() + ", got " + tasks);
        }
        return List.copyOf(tasks);
    }

    /** Generates until the example uses no excluded word (rarely more than one try). */
    private CuteExample generate(CuteTask task, Random random, Pool pool, String id) {
        while (true) {
            CuteExample e = new Example(random, pool).make(task, id);
            if (e != null && !usesExcluded(e)) {
                return e;
            }
        }
    }

    private boolean usesExcluded(CuteExample e) {
        Stream<String> answer = Stream.of(e.answer()).filter(a -> !a.equals("Yes") && !a.equals("No"));
        return Stream.concat(e.inputs().stream(), answer)
                .flatMap(text -> Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z]+"))).anyMatch(excluded::contains);
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

    /** The words of one side (training or held out) and, for SEM, which of them have synonyms on the same side. */
    private static final class Pool {
        final List<String> words;
        final Map<String, List<String>> synonyms = new HashMap<>();
        final List<String> semWords;

        Pool(List<String> words, Map<String, ? extends Collection<String>> allSynonyms) {
            this.words = List.copyOf(words);
            Set<String> members = new HashSet<>(words);
            for (String w : words) {
                Collection<String> raw = allSynonyms.get(w);
                if (raw == null) {
                    continue;
                }
                List<String> syn = raw.stream().filter(members::contains)
                        .filter(x -> !x.equals(w)).sorted().distinct().collect(Collectors.toList());
                if (!syn.isEmpty()) {
                    synonyms.put(w, syn);
                }
            }
            this.semWords = synonyms.keySet().stream().sorted().collect(Collectors.toList());
        }
    }

    /** One generation attempt; {@link #make} returns null when the drawn word or sentence does not fit the task. */
    private record Example(Random random, Pool pool) {
        CuteExample make(CuteTask task, String id) {
            String w = word();
            return switch (task) {
                case SPELL -> of(task, id, "Spell out the word \"" + w + "\".", spaced(w), w);
                case SPELL_INVERSE -> of(task, id, "Write the word \"" + spaced(w) + "\".", w, spaced(w));
                case CONTAINS_CHAR -> {
                    boolean yes = random.nextBoolean();
                    String c = yes ? charOf(w) : letterNotIn(w);
                    yield c == null ? null : of(task, id, "Is there a \"" + c + "\" in \"" + w + "\"?", yes ? "Yes" : "No", c, w);
                }
                case ORTH -> orth(id, w);
                case SEM -> sem(id);
                case INS_CHAR -> {
                    String x = charOf(w);
                    String l = letter();
                    yield of(task, id, "Add an \"" + l + "\" after every \"" + x + "\" in \"" + w + "\".",
                            w.replace(x, x + l), l, x, w);
                }
                case DEL_CHAR -> {
                    String x = charOf(w);
                    String answer = w.replace(x, "");
                    yield answer.isEmpty() ? null
                            : of(task, id, "Delete every instance of \"" + x + "\" in \"" + w + "\".", answer, x, w);
                }
                case SUB_CHAR -> {
                    String x = charOf(w);
                    String y = letterNotIn(w);
                    yield y == null ? null
                            : of(task, id, "Substitute \"" + x + "\" with \"" + y + "\" in \"" + w + "\".", w.replace(x, y), x, y, w);
                }
                case SWAP_CHAR -> swapChar(id, w);
                case CONTAINS_WORD, INS_WORD, DEL_WORD, SUB_WORD, SWAP_WORD -> wordTask(task, id);
            };
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

        private CuteExample sem(String id) {
            String w = pool.semWords.get(random.nextInt(pool.semWords.size()));
            List<String> syn = pool.synonyms.get(w);
            String right = syn.get(random.nextInt(syn.size()));
            String distractor = edit(w);
            if (distractor.equals(w) || syn.contains(distractor)) {
                return null;
            }
            boolean rightFirst = random.nextBoolean();
            String a = rightFirst ? right : distractor;
            String b = rightFirst ? distractor : right;
            return of(CuteTask.SEM, id, "More semantically related to \"" + w + "\": " + a + ", " + b + ".", right, w, a, b);
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
            if (s.stream().anyMatch(t -> t.equalsIgnoreCase(fresh))) {
                return null;
            }
            return switch (task) {
                case CONTAINS_WORD -> {
                    boolean yes = random.nextBoolean();
                    String q = yes ? target.toLowerCase(Locale.ROOT) : fresh;
                    yield of(task, id, "Is there a \"" + q + "\" in \"" + sentence + "\"?", yes ? "Yes" : "No", q, sentence);
                }
                case INS_WORD -> of(task, id, "Add \"" + fresh + "\" after every \"" + target + "\" in \"" + sentence + "\".",
                        render(s.stream().flatMap(t -> t.equals(target) ? Stream.of(t, fresh) : Stream.of(t)).toList()),
                        fresh, target, sentence);
                case DEL_WORD -> {
                    List<String> out = new ArrayList<>(s);
                    out.removeIf(target::equals);
                    yield out.isEmpty() ? null : of(task, id, "Delete every instance of \"" + target + "\" in \"" + sentence
                            + "\".", render(out), target, sentence);
                }
                case SUB_WORD -> {
                    List<String> out = new ArrayList<>(s);
                    out.replaceAll(t -> t.equals(target) ? fresh : t);
                    yield of(task, id, "Substitute \"" + target + "\" with \"" + fresh + "\" in \"" + sentence + "\".",
                            render(out), target, fresh, sentence);
                }
                default -> { // SWAP_WORD
                    int i = s.indexOf(target);
                    int j = random.nextInt(s.size());
                    if (i == j || Collections.frequency(s, s.get(i)) > 1 || Collections.frequency(s, s.get(j)) > 1) {
                        yield null;
                    }
                    List<String> out = new ArrayList<>(s);
                    Collections.swap(out, i, j);
                    yield of(task, id, "Swap \"" + s.get(i) + "\" and \"" + s.get(j) + "\" in \"" + sentence + "\".",
                            render(out), s.get(i), s.get(j), sentence);
                }
            };
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

        private static String render(List<String> words) {
            return String.join(" ", words) + ".";
        }

        private String edit(String w) {
            int i = random.nextInt(w.length() + 1);
            String l = letter();
            return switch (random.nextInt(3)) {
                case 0 -> w.substring(0, i) + l + w.substring(i);
                case 1 -> i == w.length() ? w.substring(0, i - 1) : w.substring(0, i) + w.substring(i + 1);
                default -> i == w.length() ? w.substring(0, i - 1) + l : w.substring(0, i) + l + w.substring(i + 1);
            };
        }

        private String word() {
            return pool.words.get(random.nextInt(pool.words.size()));
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
