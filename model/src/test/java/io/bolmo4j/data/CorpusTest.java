package io.bolmo4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

class CorpusTest {
    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private Path writeGz(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    private static List<String> texts(Corpus c) {
        return c.toList().stream().map(Document::text).collect(Collectors.toList());
    }

    @Test
    void plainTextWholeFileIsOneDocumentVerbatim() throws IOException {
        String content = "Call me Ishmael.\n\nSome years ago\u2014never mind.\n";
        Path p = write("moby.txt", content);
        List<Document> docs = Corpus.text(p, false).toList();
        assertEquals(List.of(new Document(p.toString(), content, "moby")), docs);
    }

    @Test
    void plainTextSplitsOnBlankLines() throws IOException {
        Path p = write("a.txt", "\n\nfirst line\nsecond line\n   \n\nthird\n\n");
        List<Document> docs = Corpus.text(p, true).toList();
        assertEquals(List.of("first line\nsecond line", "third"), docs.stream().map(Document::text).collect(Collectors.toList()));
        assertEquals(List.of(p + "#0", p + "#1"), docs.stream().map(Document::id).collect(Collectors.toList()));
    }

    @Test
    void emptyFilesGiveNoDocuments() throws IOException {
        assertEquals(List.of(), Corpus.text(write("e.txt", ""), false).toList());
        assertEquals(List.of(), Corpus.text(write("b.txt", " \n\n"), true).toList());
        assertEquals(List.of(), Corpus.jsonl(write("e.jsonl", "")).toList());
        assertEquals(List.of(), Corpus.jsonl(writeGz("e.jsonl.gz", "")).toList());
    }

    @Test
    void jsonlReadsDolmaFieldsAndIgnoresExtras() throws IOException {
        Path p = write("shard.jsonl", "{\"id\":\"d1\",\"text\":\"hello\\nworld\",\"source\":\"web\",\"added\":\"2024\",\"metadata\":{\"x\":1}}\n"
                + "\n{\"text\":\"no id\"}\n");
        assertEquals(List.of(new Document("d1", "hello\nworld", "web"), new Document(p + ":3", "no id", "shard")),
                Corpus.jsonl(p).toList());
    }

    @Test
    void gzipIsDetectedByContentAndMatchesPlain() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            sb.append("{\"id\":\"").append(i).append("\",\"text\":\"t\u00e9xt ").append(i).append("\",\"source\":\"s\"}\n");
        }
        List<Document> plain = Corpus.jsonl(write("x.jsonl", sb.toString())).toList();
        List<Document> gz = Corpus.jsonl(writeGz("x.jsonl.gz", sb.toString())).toList();
        assertEquals(500, plain.size());
        assertEquals(plain, gz);
        assertEquals("t\u00e9xt 499", gz.get(499).text());
    }

    @Test
    void malformedLineFailsByDefaultNamingFileAndLine() throws IOException {
        Path p = write("bad.jsonl", "{\"text\":\"ok\"}\n{\"text\": oops}\n{\"text\":\"ok2\"}\n");
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.jsonl(p).toList());
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void everyKindOfMalformedLineIsRejected() throws IOException {
        String[] bad = {"[1,2]", "{\"id\":\"x\"}", "{\"text\":5}", "{\"text\":\"a\"} trailing", "{text:\"a\"}",
            "{\"text\":\"a\",\"id\":{}}", "not json", "{\"text\":\"a\""};
        for (String line : bad) {
            Path p = write("b.jsonl", line + "\n");
            assertThrows(CorpusException.class, () -> Corpus.jsonl(p).toList(), line);
        }
    }

    @Test
    void lenientModeSkipsAndCountsMalformedLines() throws IOException {
        Path p = writeGz("mixed.jsonl.gz", "{\"text\":\"a\"}\n{broken\n{\"text\":\"b\"}\n[]\n\n{\"id\":1,\"text\":\"c\"}\n");
        Corpus c = Corpus.jsonl(p).lenient();
        assertEquals(List.of("a", "b", "c"), texts(c));
        assertEquals(2, c.skippedLines());
        assertEquals("1", c.toList().get(2).id());
        assertEquals(2, c.skippedLines(), "count is per pass, not cumulative");
        assertEquals(0, Corpus.jsonl(p).skippedLines());
    }

    @Test
    void directoryIsReadRecursivelyInSortedOrder() throws IOException {
        Path dir = tmp.resolve("root");
        write("root/b/two.txt", "two");
        write("root/a.jsonl", "{\"text\":\"one\"}\n");
        writeGz("root/c/d/three.jsonl.gz", "{\"text\":\"three\"}\n{\"text\":\"four\"}\n");
        write("root/z.md", "five\n\nsix");
        write("root/.hidden.txt", "hidden");
        write("root/ignored.csv", "a,b");
        write("root/empty.txt", "");
        assertEquals(List.of("one", "two", "three", "four", "five\n\nsix"), texts(Corpus.directory(dir, false)));
        assertEquals(List.of("one", "two", "three", "four", "five", "six"), texts(Corpus.directory(dir, true)));
        assertEquals("b/two.txt", Corpus.of(dir).toList().get(1).id());
    }

    @Test
    void readingIsLazyEvenForAnEndlessFile() {
        byte[] line = "{\"text\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
        InputOpener endless = () -> new InputStream() {
            private long pos;

            @Override
            public int read() {
                return line[(int) (pos++ % line.length)];
            }
        };
        Corpus c = Corpus.concat(Corpus.jsonl("endless", endless), numbered(1));
        Iterator<Document> it = c.iterator();
        for (int i = 0; i < 1000; i++) {
            assertEquals("x", it.next().text());
        }
        try (Stream<Document> s = c.stream()) {
            assertEquals(5, s.limit(5).count());
        }
    }

    @Test
    void missingInputsFailClearly() {
        assertThrows(CorpusException.class, () -> Corpus.of(tmp.resolve("nope.jsonl")));
        assertThrows(CorpusException.class, () -> Corpus.directory(tmp.resolve("nope"), false));
    }

    private static Corpus numbered(int n) {
        return Corpus.ofDocuments(IntStream.range(0, n).mapToObj(i -> new Document("d" + i, "text " + i, "s"))
                .collect(Collectors.toList()));
    }

    @Test
    void shuffleIsADeterministicPermutation() {
        Corpus c = numbered(200);
        List<Document> a = c.shuffled(7).toList();
        assertEquals(a, c.shuffled(7).toList());
        assertNotEquals(a, c.shuffled(8).toList());
        assertNotEquals(c.toList(), a);
        assertEquals(new HashSet<>(c.toList()), new HashSet<>(a));
    }

    @Test
    void epochsStartWithTheShuffleAndCoverEveryDocumentEachEpoch() {
        Corpus c = numbered(50);
        Iterator<Document> it = c.epochs(3);
        List<Document> first = new ArrayList<>();
        List<Document> second = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            (i < 50 ? first : second).add(it.next());
        }
        assertEquals(c.shuffled(3).toList(), first);
        assertEquals(new HashSet<>(c.toList()), new HashSet<>(second));
        assertNotEquals(first, second);
    }

    @Test
    void windowsAreFixedLengthSlicesOfTheSeparatedDocumentStream() {
        Corpus c = numbered(30);
        int width = 17;
        Iterator<byte[]> windows = c.windows(5, width);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            byte[] w = windows.next();
            assertEquals(width, w.length);
            got.writeBytes(w);
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Iterator<Document> docs = c.epochs(5);
        while (expected.size() < got.size()) {
            expected.writeBytes((docs.next().text() + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] exp = Arrays.copyOf(expected.toByteArray(), got.size());
        assertArrayEquals(exp, got.toByteArray());
        assertArrayEquals(c.windows(5, width).next(), c.windows(5, width).next());
        assertNotEquals(new String(c.windows(5, width).next(), StandardCharsets.UTF_8),
                new String(c.windows(6, width).next(), StandardCharsets.UTF_8));
    }

    @Test
    void windowsRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> numbered(3).windows(1, 0));
        assertThrows(IllegalStateException.class, () -> numbered(0).windows(1, 8));
        assertThrows(IllegalStateException.class,
                () -> Corpus.ofDocuments(List.of(new Document("e", "", "s"))).windows(1, 8, new byte[0]));
    }
}
