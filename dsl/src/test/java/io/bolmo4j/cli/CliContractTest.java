package io.bolmo4j.cli;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import io.bolmo4j.io.SafetensorsFile;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static io.bolmo4j.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line under bad input (issue #16): outputs never replace a model, a teacher or an input; wrong configs,
 * weights and resumes are refused in one line that names the file, key or option and the value; every command has
 * --help; long scoring shows progress; a Stage 1 resumed on one thread equals an uninterrupted one bit for bit.
 */
class CliContractTest {
    @TempDir
    static Path dir;
    static Path ckpt;
    static Path text;
    static int threads;

    /** One compute thread: bit-reproducible, and far faster for these tiny models on a busy 2-core machine. */
    @BeforeAll
    static void checkpoint() throws IOException {
        threads = Backend.threads();
        Backend.configure(null, 1);
        ckpt = CliTest.tinyOlmo(dir.resolve("olmo"));
        text = dir.resolve("train.txt");
        Files.writeString(text, "It was the best of times, it was the worst of times. ".repeat(30));
    }

    @AfterAll
    static void restoreThreads() {
        Backend.configure(null, threads);
    }

    /** The byteify arguments of a tiny 4-step Stage 1 into {@code out}; {@code extra} options add to or replace them. */
    private static String[] byteify(Path out, String... extra) {
        Map<String, String> options = new LinkedHashMap<>();
        String[] base = {"--teacher", ckpt.toString(), "--out", out.toString(), "--data", text.toString(), "--steps", "4",
                "--batch", "2", "--bytes", "64", "--eval-bytes", "300", "--checkpoint-every", "2"};
        for (int i = 0; i < base.length; i += 2) {
            options.put(base[i], base[i + 1]);
        }
        for (int i = 0; i < extra.length; i++) {
            boolean flag = i + 1 == extra.length || extra[i + 1].startsWith("--");
            options.put(extra[i], flag ? null : extra[++i]);
        }
        List<String> args = new ArrayList<>(List.of("byteify"));
        options.forEach((k, v) -> {
            args.add(k);
            if (v != null) {
                args.add(v);
            }
        });
        return args.toArray(String[]::new);
    }

    // ---- outputs never replace a model, a teacher or an input -------------------------------------------------

    @Test
    void byteifyRefusesAnExistingModelFolderUnlessOverwriteAndNeverItsTeacher() throws IOException {
        Path model = copy(ckpt, dir.resolve("existing-model"));
        Map<String, byte[]> before = contents(model);
        String[] r = run(byteify(model));
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("--out " + model + " already holds config.json, generation_config.json, model.safetensors")
                && r[2].contains("--overwrite"), r[2]);
        assertContentsEqual(before, contents(model));

        for (String[] args : new String[][] {byteify(ckpt), byteify(ckpt, "--overwrite")}) {
            Map<String, byte[]> teacher = contents(ckpt);
            String[] same = run(args);
            assertEquals("1", same[0], same[2]);
            assertTrue(same[2].contains("is the input --teacher"), same[2]);
            assertContentsEqual(teacher, contents(ckpt));
        }
    }

    @Test
    void stage2NeverWritesOverItsInputAndReportsNoTeacherWithoutOne() throws IOException {
        Path bolmo = dir.resolve("s2-in");
        assertEquals("0", run(byteify(bolmo))[0]);
        Map<String, byte[]> before = contents(bolmo);
        for (boolean overwrite : new boolean[] {false, true}) {
            String[] r = run("stage2", bolmo.toString(), "--out", bolmo.toString(), "--data", text.toString(), "--steps", "1",
                    "--batch", "2", "--bytes", "64", "--overwrite=" + overwrite);
            assertEquals("1", r[0], r[2]);
            assertTrue(r[2].contains("is the input DIR"), r[2]);
            assertContentsEqual(before, contents(bolmo));
        }
        // without --teacher the report leaves the teacher out instead of printing NaN; its JSON is strict JSON
        Path out = dir.resolve("s2-out");
        String[] ok = run("stage2", bolmo.toString(), "--out", out.toString(), "--data", text.toString(), "--steps", "1",
                "--batch", "2", "--bytes", "64", "--eval-bytes", "300");
        assertEquals("0", ok[0], ok[2]);
        assertFalse(ok[1].contains("NaN") || ok[1].contains("teacher="), ok[1]);
        JsonObject eval = strictJson(Files.readString(out.resolve("stage2_eval.json")));
        assertTrue(eval.get("teacher_bits_per_byte").isJsonNull());
        assertTrue(eval.get("bits_per_byte").getAsDouble() > 0);

        // a Bolmo's logits cover what its global model's context (128 patches) holds, as for OLMo ids
        Path logits = dir.resolve("bolmo-long.safetensors");
        String[] tooLong = run("logits", bolmo.toString(), "--text", "the best of times ".repeat(60), "--out", logits.toString());
        assertEquals("1", tooLong[0]);
        assertTrue(tooLong[2].matches("(?s).*the text's 1080 bytes form \\d+ patches, more than the global model's context of 128.*"),
                tooLong[2]);
        assertFalse(Files.exists(logits));
    }

    @Test
    void logitsReplacesAnExistingFileOnlyWithOverwriteAndNeverAModelFile() throws IOException {
        Path out = dir.resolve("logits.safetensors");
        Files.writeString(out, "precious");
        String[] r = run("logits", ckpt.toString(), "--ids", "1,2,3", "--out", out.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--out " + out + " exists: pass --overwrite"), r[2]);
        assertEquals("precious", Files.readString(out));
        assertEquals("0", run("logits", ckpt.toString(), "--ids", "1,2,3", "--out", out.toString(), "--overwrite")[0]);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertArrayEquals(new long[] {3, 640}, f.info("logits").shape());
        }
        Path weights = ckpt.resolve(HfCheckpoint.SINGLE);
        byte[] model = Files.readAllBytes(weights);
        String[] intoModel = run("logits", ckpt.toString(), "--ids", "1", "--out", weights.toString(), "--overwrite");
        assertEquals("1", intoModel[0]);
        assertTrue(intoModel[2].contains("is a file of the input DIR"), intoModel[2]);
        assertArrayEquals(model, Files.readAllBytes(weights));
    }

    // ---- no silent wrong results -------------------------------------------------------------------------------

    @Test
    void nonFiniteWeightsAreRefusedAtLoadNamingTheTensor() throws IOException {
        Path nan = copy(ckpt, dir.resolve("nan-weights"));
        rewriteWeights(nan, (name, values) -> {
            if (name.equals("model.layers.1.mlp.up_proj.weight")) {
                values[7] = Float.NaN;
            }
        });
        String[] r = run("score", nan.toString(), "--text", "Call me Ishmael.");
        assertEquals("1", r[0]);
        assertEquals("", r[1], "no JSON with NaN in it");
        assertTrue(r[2].contains("'model.layers.1.mlp.up_proj.weight' holds NaN at flat index 7"), r[2]);
    }

    @Test
    void aConfigThatDoesNotDescribeTheWeightsIsRefused() throws IOException {
        Path fewer = copy(ckpt, dir.resolve("fewer-layers"));
        editConfig(fewer, "num_hidden_layers", 1);
        String[] r = run("score", fewer.toString(), "--text", "Call me Ishmael.");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("tensor(s) that config.json does not describe, e.g. 'model.layers.1."), r[2]);

        Path eps = copy(ckpt, dir.resolve("negative-eps"));
        editConfig(eps, "rms_norm_eps", -1);
        String[] e = run("score", eps.toString(), "--text", "Call me Ishmael.");
        assertEquals("1", e[0]);
        assertTrue(e[2].contains("config.json: key 'rms_norm_eps' must be a finite number > 0, got -1"), e[2]);

        Path ctx = copy(ckpt, dir.resolve("zero-context"));
        editConfig(ctx, "max_position_embeddings", 0);
        String[] c = run("generate", ctx.toString(), "--prompt", "Once");
        assertEquals("1", c[0]);
        assertTrue(c[2].contains("'max_position_embeddings' must be a positive integer, got 0"), c[2]);
    }

    @Test
    void logitsRefusesMoreIdsThanTheContextAsGenerateDoes() {
        String ids = String.join(",", Collections.nCopies(129, "5"));
        String[] r = run("logits", ckpt.toString(), "--ids", ids, "--out", dir.resolve("long.safetensors").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("129 ids do not fit the model's context of 128 positions"), r[2]);
        assertFalse(Files.exists(dir.resolve("long.safetensors")));
        assertEquals("0", run("logits", ckpt.toString(), "--ids", ids.substring(2), "--out",
                dir.resolve("full.safetensors").toString())[0], "exactly the context is fine");
    }

    @Test
    void generationCutShortByTheContextSaysSo() {
        BpeTokenizer tok = BpeTokenizer.load(ckpt.resolve("tokenizer.json"));
        String prompt = "";
        while (tok.encodeIds(prompt + "the best of times ").length < 120) { // leaves room for a few of the 50 tokens
            prompt += "the best of times ";
        }
        // sampled: this random model's greedy choice after the prompt is the end-of-text token
        String[] r = run("generate", ckpt.toString(), "--prompt", prompt, "--max-new", "50", "--temperature", "1",
                "--top-p", "1", "--seed", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].matches("(?s).*generation stopped after \\d+ of 50 tokens: prompt and continuation fill the"
                + " model's context of 128 tokens.*"), r[2]);
        String[] short_ = run("generate", ckpt.toString(), "--prompt", "Once", "--max-new", "5", "--temperature", "0");
        assertFalse(short_[2].contains("generation stopped"), short_[2]);
    }

    @Test
    void aResumedStage1WithOtherOptionsIsRefusedListingThemUnlessResumeAnyway() {
        Path out = dir.resolve("resume-mismatch");
        killedStage1(out);
        String[] r = run(byteify(out, "--lr", "0.003", "--batch", "3", "--seed", "7"));
        assertEquals("1", r[0], r[2]);
        for (String change : new String[] {"lr was 0.004, now 0.003", "batch was 2, now 3", "seed was 0, now 7"}) {
            assertTrue(r[2].contains(change), change + " missing: " + r[2]);
        }
        assertTrue(r[2].contains("--resume-anyway") && !r[2].contains("bytesPerExample was"), r[2]);
        assertFalse(Files.exists(out.resolve("config.json")));
        String[] anyway = run(byteify(out, "--lr", "0.003", "--batch", "3", "--seed", "7", "--resume-anyway"));
        assertEquals("0", anyway[0], anyway[2]);
        assertTrue(anyway[2].contains("resuming anyway with changed settings") && anyway[2].contains("resuming from step 2"),
                anyway[2]);
    }

    /**
     * With --threads 1 a Stage 1 killed after its step-2 checkpoint and run again ends with exactly the weights and
     * losses of an uninterrupted run.
     */
    @Test
    void onOneThreadAKilledAndResumedStage1EqualsAnUninterruptedOneExactly() throws IOException {
        Path resumed = dir.resolve("resumed");
        Path straight = dir.resolve("straight");
        killedStage1(resumed);
        String[] a = run(Stream.concat(Stream.of("--threads", "1"), Stream.of(byteify(resumed))).toArray(String[]::new));
        assertEquals("0", a[0], a[2]);
        assertTrue(a[2].contains("resuming from step 2 of 4"), a[2]);
        String[] b = run(Stream.concat(Stream.of("--threads", "1"), Stream.of(byteify(straight))).toArray(String[]::new));
        assertEquals("0", b[0], b[2]);
        assertEquals(1, Backend.threads());
        try (SafetensorsFile x = SafetensorsFile.open(resumed.resolve(HfCheckpoint.SINGLE));
             SafetensorsFile y = SafetensorsFile.open(straight.resolve(HfCheckpoint.SINGLE))) {
            assertEquals(y.names(), x.names());
            for (String name : y.names()) {
                assertArrayEquals(y.readFloats(name), x.readFloats(name), name); // no tolerance: bit for bit
            }
        }
        assertEquals(losses(straight), losses(resumed));
    }

    // ---- help, and messages that say what is wrong -------------------------------------------------------------

    @Test
    void everyCommandHasHelp() {
        for (String command : new CommandLine(new Main()).getSubcommands().keySet()) {
            String[] r = run(command, "--help");
            assertEquals("0", r[0], command + ": " + r[2]);
            assertTrue(r[1].contains("Usage: bolmo4j " + command), command + ": " + r[1]);
        }
        assertEquals("0", run("--help")[0]);
    }

    @Test
    void missingAndUnreadableInputsAreNamed() throws IOException {
        Path nowhere = dir.resolve("no-such-model");
        String[] folder = run("score", nowhere.toString(), "--text", "x");
        assertEquals("2", folder[0]);
        String message = folder[2].lines().findFirst().orElse(""); // picocli prints the usage below it
        assertTrue(message.contains("no such folder: " + nowhere) && !message.contains("tokenizer.json"), folder[2]);

        Path missing = dir.resolve("missing.txt");
        String[] file = run("score", ckpt.toString(), "--file", missing.toString());
        assertEquals("1", file[0]);
        assertTrue(file[2].contains(missing + ": no such file"), file[2]);

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        for (String command : new String[] {"score", "tokenize"}) {
            String[] utf8 = run(command, ckpt.toString(), "--file", latin1.toString());
            assertEquals("1", utf8[0]);
            assertTrue(utf8[2].contains(latin1 + " is not valid UTF-8: the character at byte 3 (0xE9) is malformed"), utf8[2]);
        }
    }

    @Test
    void aHugeShapeNamesTheTensor() throws IOException {
        Path huge = dir.resolve("huge-shape");
        Files.createDirectories(huge);
        Files.copy(ckpt.resolve("config.json"), huge.resolve("config.json"));
        String header = "{\"model.embed_tokens.weight\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,0]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        Files.write(huge.resolve(HfCheckpoint.SINGLE), b.array());
        String[] r = run("info", huge.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("tensor 'model.embed_tokens.weight': shape [4294967296, 4294967296] has more bytes than"
                + " a 64-bit size holds"), r[2]);
    }

    @Test
    void stageOptionsOutOfRangeNameTheOptionAndValueBeforeAnythingLoadsOrIsWritten() throws IOException {
        Path out = dir.resolve("never-created");
        Path broken = Files.createDirectories(dir.resolve("broken-teacher")); // loading it would fail: no config.json
        String[][] cases = {
                {"--steps", "-3", "--steps must be an integer >= 0, got -3"},
                {"--bytes", "4", "--bytes must be an integer >= 8, got 4"},
                {"--lr", "0", "--lr must be a finite number > 0, got 0.0"},
                {"--byte-distill", "-1", "--byte-distill must be a finite number >= 0, got -1.0"},
                {"--checkpoint-every", "0", "--checkpoint-every must be an integer >= 1, got 0"}};
        for (String[] c : cases) {
            String[] r = run("byteify", "--teacher", broken.toString(), "--out", out.toString(), c[0], c[1]);
            assertEquals("2", r[0], r[2]);
            assertTrue(r[2].startsWith(c[2]), c[0] + ": " + r[2]);
            assertFalse(Files.exists(out), "nothing is written for a refused run");
        }
        String[] s2 = run("stage2", ckpt.toString(), "--out", out.toString(), "--target-bytes-per-patch", "-2");
        assertTrue(s2[2].startsWith("--target-bytes-per-patch must be 0 (the subword boundaries) or a finite number > 1, got -2.0"), s2[2]);

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[] r = run(byteify(file));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--out " + file + " is an existing file; give a folder"), r[2]);
    }

    // ---- checkpoint paths --------------------------------------------------------------------------------------

    @Test
    void indexEntriesOutsideTheCheckpointAreRefusedAndAStaleIndexBesideTheWeightsIsIgnored() throws IOException {
        // a complete, valid checkpoint outside the folder: the index must not reach it
        Path outside = copy(ckpt, dir.resolve("outside"));
        Path escaping = dir.resolve("escaping");
        Files.createDirectories(escaping);
        Files.copy(ckpt.resolve("config.json"), escaping.resolve("config.json"));
        Files.copy(ckpt.resolve("tokenizer.json"), escaping.resolve("tokenizer.json"));
        JsonObject map = new JsonObject();
        try (SafetensorsFile f = SafetensorsFile.open(outside.resolve(HfCheckpoint.SINGLE))) {
            f.names().forEach(n -> map.addProperty(n, "../outside/" + HfCheckpoint.SINGLE));
        }
        JsonObject index = new JsonObject();
        index.add("weight_map", map);
        Files.writeString(escaping.resolve(HfCheckpoint.INDEX), index.toString());
        String[] r = run("score", escaping.toString(), "--text", "Call me Ishmael.");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("is mapped to \"../outside/model.safetensors\", which is not a file inside"), r[2]);

        Path stale = copy(ckpt, dir.resolve("stale-index"));
        JsonObject gone = new JsonObject();
        gone.addProperty("model.embed_tokens.weight", "model-00001-of-00002.safetensors");
        JsonObject staleIndex = new JsonObject();
        staleIndex.add("weight_map", gone);
        Files.writeString(stale.resolve(HfCheckpoint.INDEX), staleIndex.toString());
        String[] fine = run("score", stale.toString(), "--text", "Call me Ishmael.");
        String[] want = run("score", ckpt.toString(), "--text", "Call me Ishmael.");
        assertEquals("0", fine[0], fine[2]);
        assertEquals(want[1], fine[1], "model.safetensors wins over the index, as in transformers");
    }

    // ---- long inputs -------------------------------------------------------------------------------------------

    @Test
    void scoringALongTextShowsProgressAndPrintsStrictJson() {
        String[] r = run("score", ckpt.toString(), "--text", "It was the best of times, it was the worst of times. ".repeat(40));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("score 100% "), r[2]);
        JsonObject j = strictJson(r[1]);
        assertTrue(j.get("tokens").getAsInt() > 128, "longer than the context: " + j);
        assertTrue(j.get("bits_per_byte").getAsDouble() > 0);
        String[] shortText = run("score", ckpt.toString(), "--text", "Call me Ishmael.");
        assertEquals("", shortText[2], "no progress for one window");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /**
     * Leaves in {@code out} what a byteify run with {@link #byteify} killed during step 3 leaves: the step-2
     * checkpoint (made through the same Stage 1 the command runs, with the settings and data it would use).
     */
    private static void killedStage1(Path out) {
        Stage1.Config cfg = Stage1.Config.defaults().with("steps", 4).with("batch", 2).with("bytesPerExample", 64);
        List<String> texts = Corpus.of(text).stream().map(Document::text).toList();
        try (LoadedOlmo t = LoadedOlmo.load(ckpt); BolmoModel b = Byteify.fromTeacher(t.model(), t.tokenizer().vocabSize(), 0)) {
            Stage1 stage = new Stage1(b, t.model(), t.tokenizer());
            stage.checkpoints(StageOptions.checkpointDir(out, "stage1"), 2);
            IllegalStateException kill = assertThrows(IllegalStateException.class, () -> stage.run(texts, cfg, s -> {
                if (s.step() == 3) {
                    throw new IllegalStateException("killed");
                }
            }));
            assertEquals("killed", kill.getMessage());
        }
        assertTrue(Files.exists(StageOptions.checkpointDir(out, "stage1").resolve("state.json")));
    }

    /** The step and loss columns of a stage log. */
    private static List<String> losses(Path out) throws IOException {
        return Files.readAllLines(out.resolve("stage1_log.csv")).stream()
                .map(line -> line.substring(0, line.lastIndexOf(','))).toList();
    }

    private static JsonObject strictJson(String s) {
        try {
            JsonReader reader = new JsonReader(new StringReader(s));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = new Gson().getAdapter(JsonElement.class).read(reader);
            assertEquals(JsonToken.END_DOCUMENT, reader.peek());
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError("not strict JSON: " + e.getMessage() + "\n" + s, e);
        }
    }

    static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static void editConfig(Path model, String key, Number value) throws IOException {
        JsonObject cfg = JsonParser.parseString(Files.readString(model.resolve("config.json"))).getAsJsonObject();
        cfg.addProperty(key, value);
        Files.writeString(model.resolve("config.json"), cfg.toString());
    }

    static void rewriteWeights(Path model, BiConsumer<String, float[]> edit) {
        Path file = model.resolve(HfCheckpoint.SINGLE);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                float[] values = f.readFloats(name);
                edit.accept(name, values);
                tensors.put(name, HostTensor.f32(values, f.info(name).shape()));
            }
        }
        Safetensors.write(file, tensors, Map.of());
    }

    static Map<String, byte[]> contents(Path folder) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }

    static void assertContentsEqual(Map<String, byte[]> want, Map<String, byte[]> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((name, bytes) -> assertArrayEquals(bytes, got.get(name), name));
        assertNotEquals(0, want.size());
    }
}
