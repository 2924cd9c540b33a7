package io.bolmo4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.io.OutputLock;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.bolmo4j.cli.CliContractTest.assertContentsEqual;
import static io.bolmo4j.cli.CliContractTest.contents;
import static io.bolmo4j.cli.CliContractTest.copy;
import static io.bolmo4j.cli.CliContractTest.rewriteWeights;
import static io.bolmo4j.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a careless user tries, one class of problem per test (issue #22): each ends in a correct result or one clear
 * line naming the input, with nothing overwritten, no hang and nothing left behind.
 */
class HostileInputTest {
    @TempDir
    static Path dir;
    static Path ckpt;
    static Path bolmo;
    static Path text;
    static int threads;

    @BeforeAll
    static void models() throws IOException {
        threads = Backend.threads();
        Backend.configure(null, 1);
        ckpt = CliTest.tinyOlmo(dir.resolve("olmo"));
        bolmo = dir.resolve("bolmo");
        try (LoadedOlmo t = LoadedOlmo.load(ckpt); BolmoModel b = Byteify.fromTeacher(t.model(), t.tokenizer().vocabSize(), 1)) {
            BolmoCheckpoint.save(b, bolmo, false, Files.readString(ckpt.resolve("tokenizer.json")));
        }
        text = dir.resolve("train.txt");
        Files.writeString(text, "It was the best of times, it was the worst of times. ".repeat(30));
    }

    @AfterAll
    static void restoreThreads() {
        Backend.configure(null, threads);
    }

    // ---- outputs ----------------------------------------------------------------------------------------------

    @Test
    void aSecondRunOnTheSameOutIsRefusedAndNothingIsOverwritten() throws IOException {
        Path out = dir.resolve("locked.safetensors");
        try (OutputLock first = OutputLock.acquire(out, "a first run")) {
            String[] r = run("logits", ckpt.toString(), "--ids", "1,2", "--out", out.toString());
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("--out " + out + " is being written by another run"), r[2]);
            assertFalse(Files.exists(out));
            Path runDir = dir.resolve("locked-run");
            try (OutputLock run = OutputLock.acquire(runDir, "an export")) {
                String[] e = run("export-run", "--teacher", ckpt.toString(), "--data", text.toString(), "--out", runDir.toString());
                assertTrue(e[2].contains("is being written by another run"), e[2]);
            }
        }
        assertEquals("0", run("logits", ckpt.toString(), "--ids", "1,2", "--out", out.toString())[0], "free once it ended");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".lock")).toList(), "no lock file left");
        }
    }

    @Test
    void anOutputNeverGoesInsideAnInputFolder() throws IOException {
        Map<String, byte[]> before = contents(ckpt);
        for (String inside : List.of("new.safetensors", "sub/new.safetensors")) {
            Path out = ckpt.resolve(inside);
            String[] r = run("logits", ckpt.toString(), "--ids", "1,2", "--out", out.toString());
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("is inside the input DIR"), r[2]);
            assertFalse(Files.exists(out) || Files.exists(ckpt.resolve("sub")));
        }
        String[] export = run("export-run", "--teacher", ckpt.toString(), "--data", text.toString(), "--out", ckpt.toString());
        assertEquals("1", export[0]);
        assertTrue(export[2].contains("is the input --teacher"), export[2]);
        String[] into = run("import-run", bolmo.toString(), "--out", bolmo.resolve("again").toString());
        assertTrue(into[2].contains("is inside the input CHECKPOINT"), into[2]);
        assertContentsEqual(before, contents(ckpt));
    }

    @Test
    void tempFoldersOfKilledMergesAreRemovedByTheNextRun() throws IOException {
        Path instruct = dir.resolve("instruct");
        try (OlmoModel base = OlmoCheckpoint.load(ckpt); OlmoModel tuned = OlmoModel.random(base.config(), 8)) {
            tuned.params().asMap().forEach((name, w) -> w.muli(0.05f).addi(base.params().get(name)));
            OlmoCheckpoint.save(tuned, instruct, false, Map.of());
        }
        Path out = dir.resolve("merged");
        Path killed = Files.createDirectory(dir.resolve(".merged.8121716537722395013"));
        Files.writeString(killed.resolve("model.safetensors"), "half a merge");
        String[] r = run("merge", "--bolmo", bolmo.toString(), "--instruct", instruct.toString(), "--base", ckpt.toString(),
                "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertFalse(Files.exists(killed), "the killed merge's temp folder is gone");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".merged")).toList());
        }
    }

    // ---- run identity ----------------------------------------------------------------------------------------

    @Test
    void resumingAnotherTeachersCheckpointIsAnErrorNamingBoth() throws IOException {
        Path other = dir.resolve("other-teacher");
        try (OlmoModel m = OlmoModel.random(OlmoCheckpoint.load(ckpt).config(), 11)) {
            OlmoCheckpoint.save(m, other, false, Map.of("tokenizer.json", Files.readAllBytes(ckpt.resolve("tokenizer.json"))));
        }
        Path out = dir.resolve("resumed-elsewhere");
        Stage1.Config cfg = Stage1.Config.defaults().with("steps", 4).with("batch", 2).with("bytesPerExample", 64);
        List<String> texts = Corpus.of(text).stream().map(Document::text).toList();
        try (LoadedOlmo t = LoadedOlmo.load(ckpt); BolmoModel b = Byteify.fromTeacher(t.model(), t.tokenizer().vocabSize(), 0)) {
            Stage1 stage = new Stage1(b, t.model(), t.tokenizer());
            stage.startsFrom("teacher " + ckpt);
            stage.checkpoints(StageOptions.checkpointDir(out, "stage1"), 2);
            assertThrows(IllegalStateException.class, () -> stage.run(texts, cfg, s -> {
                if (s.step() == 3) {
                    throw new IllegalStateException("killed");
                }
            }));
        }
        Map<String, byte[]> checkpoint = contents(StageOptions.checkpointDir(out, "stage1"));
        for (String anyway : new String[] {"--checkpoint-every", "--resume-anyway"}) {
            List<String> args = new ArrayList<>(List.of("byteify", "--teacher", other.toString(), "--out", out.toString(),
                    "--data", text.toString(), "--steps", "4", "--batch", "2", "--bytes", "64", "--eval-bytes", "300"));
            args.addAll(anyway.equals("--resume-anyway") ? List.of(anyway) : List.of(anyway, "2"));
            String[] r = run(args.toArray(String[]::new));
            assertEquals("1", r[0], r[2]);
            assertTrue(r[2].contains("was started from teacher " + ckpt) && r[2].contains("not from this run's teacher " + other),
                    r[2]);
            assertEquals(1, r[2].lines().filter(l -> l.startsWith("bolmo4j byteify: ")).count(), r[2]);
            assertFalse(r[2].contains("\tat "), "no stack trace: " + r[2]);
            assertContentsEqual(checkpoint, contents(StageOptions.checkpointDir(out, "stage1"))); // untouched
            assertFalse(Files.exists(out.resolve("config.json")));
        }
    }

    // ---- generation ---------------------------------------------------------------------------------------------

    @Test
    void generationRefusesNonFiniteScoresAndBadRope() throws IOException {
        Path huge = copy(ckpt, dir.resolve("huge-weights"));
        rewriteWeights(huge, (name, values) -> {
            // finite, but every product in the head overflows (with 1e38 alone whether a sum does depends on each
            // engine's order of accumulation)
            if (name.equals("lm_head.weight")) {
                Arrays.fill(values, 1e38f);
            } else if (name.equals("model.norm.weight")) {
                Arrays.fill(values, 1e4f);
            }
        });
        for (String engine : List.of("java", "djl")) {
            String[] r = run("generate", huge.toString(), "--prompt", "Once", "--max-new", "5", "--temperature", "0",
                    "--engine", engine);
            assertEquals("1", r[0], engine + ": " + r[1]);
            assertTrue(r[2].contains("the model's score for id") && r[2].contains("no text can be generated"), engine + ": " + r[2]);
            assertEquals("Once", r[1], engine + ": the prompt, then nothing made up");
        }

        Path rope = copy(ckpt, dir.resolve("bad-rope"));
        JsonObject cfg = JsonParser.parseString(Files.readString(rope.resolve("config.json"))).getAsJsonObject();
        cfg.remove("rope_theta");
        JsonObject params = new JsonObject();
        params.addProperty("rope_type", "default");
        params.addProperty("rope_theta", 0);
        cfg.add("rope_parameters", params);
        Files.writeString(rope.resolve("config.json"), cfg.toString());
        String[] g = run("generate", rope.toString(), "--prompt", "Once", "--max-new", "5");
        assertEquals("1", g[0]);
        assertTrue(g[2].contains("'rope_parameters.rope_theta' must be a finite number > 0, got 0"), g[2]);
    }

    @Test
    void aHugeMaxNewIsBoundedByTheContextNotMemory() {
        String[] r = run("generate", ckpt.toString(), "--prompt", "Once", "--max-new", "2147483647", "--temperature", "1",
                "--top-p", "1", "--seed", "3");
        assertEquals("0", r[0], r[2]);
        assertFalse(r[2].contains("Exception") || r[2].contains("Error"), r[2]);
        String[] b = run("generate", bolmo.toString(), "--prompt", "Once", "--max-new", "2147483647", "--temperature", "0");
        assertEquals("0", b[0], b[2]);
        assertFalse(b[2].contains("Exception") || b[2].contains("Error"), b[2]);
    }

    // ---- text inputs --------------------------------------------------------------------------------------------

    @Test
    void textArgumentsAreStrictUtf8FromTheRawBytes() {
        byte[] cafe = "café".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'h', (byte) 0xFF, 'i'};
        List<byte[]> cmdline = List.of("java".getBytes(StandardCharsets.US_ASCII), "score".getBytes(StandardCharsets.US_ASCII),
                "--text".getBytes(StandardCharsets.US_ASCII), cafe);
        // under LANG=C the JVM hands over replacement characters; the raw bytes give the text back
        assertArrayEquals(new String[] {"score", "--text", "café"},
                RawArgs.decode(new String[] {"score", "--text", "caf\uFFFD\uFFFD"}, cmdline));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RawArgs.decode(
                new String[] {"--text", "h\uFFFDi"}, List.of("--text".getBytes(StandardCharsets.US_ASCII), bad)));
        assertEquals("--text is not valid UTF-8: the character at byte 1 (0xFF) is malformed", e.getMessage());
        byte[] inline = new byte[] {'-', '-', 'p', 'r', 'o', 'm', 'p', 't', '=', 'a', (byte) 0xC3};
        e = assertThrows(IllegalArgumentException.class, () -> RawArgs.decode(new String[] {"--prompt=a\uFFFD"},
                List.of(inline)));
        assertEquals("--prompt is not valid UTF-8: the character at byte 1 (0xC3) is malformed", e.getMessage());
        assertArrayEquals(new String[] {"other"}, RawArgs.decode(new String[] {"other"},
                List.of("mismatch".getBytes(StandardCharsets.US_ASCII))), "not this JVM's arguments: kept as they are");
    }

    @Test
    void underLangCAndWithInvalidBytesTheLauncherSeesWhatWasTyped() throws Exception {
        String[] ok = main(ckpt, "h\\xc3\\xa9llo");
        assertEquals("0", ok[0], ok[2]);
        assertEquals(run("tokenize", ckpt.toString(), "--text", "héllo")[1].strip(), ok[1].strip());
        String[] bad = main(ckpt, "h\\xffllo");
        assertEquals("2", bad[0], bad[1]);
        assertEquals("bolmo4j: --text is not valid UTF-8: the character at byte 1 (0xFF) is malformed", bad[2].strip());
    }

    @Test
    void standardInputLinesAreStrictUtf8() {
        StdinLines lines = new StdinLines(new ByteArrayInputStream(new byte[] {'h', 'i', '\r', '\n', 'o', 'k', '\n', 'x', (byte) 0xE9,
                '\n'}));
        assertEquals("hi", lines.next());
        assertEquals("ok", lines.next());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, lines::next);
        assertEquals("line 3 of standard input is not valid UTF-8: the character at byte 1 (0xE9) is malformed", e.getMessage());
        assertNull(lines.next());
    }

    // ---- merge ----------------------------------------------------------------------------------------------------

    @Test
    void mergeDryRunRefusesWhatTheMergeRefuses() throws IOException {
        Path unrelated = dir.resolve("unrelated");
        try (OlmoModel m = OlmoModel.random(OlmoCheckpoint.load(ckpt).config(), 21)) {
            OlmoCheckpoint.save(m, unrelated, false, Map.of());
        }
        Path out = dir.resolve("never-merged");
        for (boolean dry : new boolean[] {true, false}) {
            List<String[]> cases = List.of(
                    new String[] {"--instruct", unrelated.toString(), "--base", ckpt.toString()},
                    new String[] {"--instruct", ckpt.toString(), "--base", unrelated.toString()},
                    new String[] {"--instruct", ckpt.toString(), "--base", ckpt.toString(), "--alpha", "NaN"});
            List<String> expected = List.of("differs from the base's by 1", "differs from the Bolmo's by 1", "--alpha must be finite");
            for (int i = 0; i < cases.size(); i++) {
                List<String> args = new ArrayList<>(List.of("merge", "--bolmo", bolmo.toString(), "--out", out.toString()));
                args.addAll(List.of(cases.get(i)));
                if (dry) {
                    args.add("--dry-run");
                }
                String[] r = run(args.toArray(String[]::new));
                assertEquals("1", r[0], (dry ? "dry run " : "merge ") + String.join(" ", cases.get(i)) + ": " + r[1]);
                assertTrue(r[2].contains(expected.get(i)), r[2]);
                assertFalse(Files.exists(out));
            }
        }
    }

    // ---- options and files ----------------------------------------------------------------------------------------

    @Test
    void optionErrorsNameTheOption() {
        Map<String[], String> cases = new LinkedHashMap<>();
        cases.put(new String[] {"generate", ckpt.toString(), "--prompt", "x", "--max-new", "-1"}, "--max-new must be an integer >= 0, got -1");
        cases.put(new String[] {"generate", ckpt.toString(), "--prompt", "x", "--top-p", "1.5"}, "--top-p must be a number in (0, 1], got 1.5");
        cases.put(new String[] {"chat", ckpt.toString(), "--message", "x", "--top-p", "0"}, "--top-p must be a number in (0, 1], got 0.0");
        cases.put(new String[] {"--threads", "0", "info", ckpt.toString()}, "--threads must be an integer >= 1, got 0");
        cases.put(new String[] {"generate", ckpt.toString(), "--prompt", "x", "--max-new", "abc"},
                "Invalid value for option '--max-new': 'abc' is not an int");
        cases.put(new String[] {"byteify", "--teacher", ckpt.toString(), "--out", dir.resolve("no-eval").toString(),
                "--schedule", "exp"}, "Invalid value for option '--schedule'");
        cases.put(new String[] {"merge", "--bolmo", bolmo.toString(), "--instruct", ckpt.toString(), "--base", ckpt.toString(),
                "--max-task-vector", "-1", "--dry-run"}, "--max-task-vector must be >= 0, got -1.0");
        cases.put(new String[] {"byteify", "--teacher", ckpt.toString(), "--out", dir.resolve("no-eval").toString(),
                "--eval-bytes", "0"}, "--eval-bytes must be an integer >= 100");
        cases.put(new String[] {"stage2", bolmo.toString(), "--out", dir.resolve("half-byte").toString(),
                "--target-bytes-per-patch", "0.5"}, "--target-bytes-per-patch must be 0 (the subword boundaries) or a finite number > 1, got 0.5");
        cases.put(new String[] {"generate", bolmo.toString(), "--prompt", "x", "--subword-tokenizer",
                dir.resolve("nowhere.json").toString()}, "--subword-tokenizer " + dir.resolve("nowhere.json") + ": no such file");
        cases.forEach((args, message) -> {
            String[] r = run(args);
            assertTrue(r[0].equals("1") || r[0].equals("2"), String.join(" ", args) + ": " + r[0]);
            assertTrue(r[2].contains(message), String.join(" ", args) + ": " + r[2]);
            assertFalse(r[2].matches("(?s).*(maxNewTokens|topP|For input string|Exception).*"), r[2]);
        });
        assertFalse(Files.exists(dir.resolve("no-eval")) || Files.exists(dir.resolve("half-byte")), "refused before any work");
    }

    @Test
    void aNamedPipeAsWeightsIsAnErrorNotAHang() throws Exception {
        Path fifo = Files.createDirectories(dir.resolve("fifo"));
        Files.copy(ckpt.resolve("config.json"), fifo.resolve("config.json"));
        Files.copy(ckpt.resolve("tokenizer.json"), fifo.resolve("tokenizer.json"));
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.resolve("model.safetensors").toString()).start().waitFor());
        String[] r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("generate", fifo.toString(), "--prompt", "x"));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("model.safetensors: not a regular file (a named pipe"), r[2]);
    }

    @Test
    void aBolmoWithTheWrongVocabularyIsRefusedByTokenizeAsByScore() throws IOException {
        Path wrong = copy(bolmo, dir.resolve("wrong-vocab"));
        Files.writeString(wrong.resolve("tokenizer.json"), Cl100kVocab.firstRanks(300).toJson());
        for (String command : List.of("tokenize", "score")) {
            String[] r = run(command, wrong.toString(), "--text", "hello");
            assertEquals("1", r[0], command + ": " + r[1]);
            assertTrue(r[2].contains("but subword_vocab_size is") && r[2].contains("not the vocabulary this Bolmo was"), r[2]);
        }
    }

    @Test
    void anInterruptedSaveDoesNotReadAsAModel() throws IOException {
        Path half = copy(bolmo, dir.resolve("half-saved"));
        Files.delete(half.resolve("config.json")); // what a kill during the save leaves: config.json comes last
        for (String command : List.of("info", "score")) {
            List<String> args = new ArrayList<>(List.of(command, half.toString()));
            if (command.equals("score")) {
                args.addAll(List.of("--text", "hello"));
            }
            String[] r = run(args.toArray(String[]::new));
            assertEquals("1", r[0], command);
            assertTrue(r[2].contains("weights but no config.json: a save that did not finish"), command + ": " + r[2]);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** {@code tokenize CKPT --text $(printf TEXT)} in a fresh JVM under LANG=C: {exit code, stdout, stderr}. */
    private static String[] main(Path model, String printfText) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "exec \"$0\" -cp \"$1\" " + Main.class.getName()
                + " tokenize \"$2\" --text \"$(printf '" + printfText + "')\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), System.getProperty("java.class.path"),
                model.toString());
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {String.valueOf(p.waitFor()), out, err};
    }
}
