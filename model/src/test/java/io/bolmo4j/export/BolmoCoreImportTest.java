package io.bolmo4j.export;

import com.google.gson.JsonObject;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.train.Stage1;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.Safetensors;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny Bolmo's round trip through bolmo-core's checkpoint names: written in olmo-core names (the fixture
 * {@code bolmo-core-hf-names.tsv}, read from bolmo-core's converter), with olmo-core's padded byte tables and the
 * teacher a training checkpoint carries, then imported: every tensor comes back bit for bit.
 */
class BolmoCoreImportTest {
    @TempDir
    static Path tmp;
    static Path run;
    static Path hf;
    static ExportedRun exported;

    @BeforeAll
    static void exportAndByteify() throws IOException {
        Path teacher = BuiltinModels.path(BuiltinModels.TINY);
        Path text = tmp.resolve("text.txt");
        Files.writeString(text, "Call me Ishmael. Some years ago, never mind how long precisely, having little money.\n");
        run = tmp.resolve("run");
        exported = BolmoCoreExport.stage1(teacher, null, Stage1.Config.defaults(), new BolmoCoreExport.Layout(List.of(text), run,
                new BolmoCoreRecipe.Cluster(1, 8, 0), 100, BolmoCoreExport.DEFAULT_TOKENS_PER_FILE));
        hf = tmp.resolve("hf");
        try (OlmoModel t = OlmoCheckpoint.load(teacher);
             BolmoModel b = Byteify.fromTeacher(t, BpeTokenizer.load(teacher.resolve("tokenizer.json")).vocabSize(), 3)) {
            BolmoCheckpoint.save(b, hf, false, Files.readString(teacher.resolve("tokenizer.json")));
        }
    }

    @Test
    void exportWritesARunnableRunDirectory() throws Exception {
        for (String f : List.of("README.md", "launch.sh", "convert-teacher.sh", "unshard.sh", "bolmo-core/overrides.txt",
                "bolmo-core/env.sh", "tokenizer/tokenizer.json", "tokenizer/tokenizer_config.json", "data/part-00000.npy",
                "data/manifest.json", BolmoCoreExport.RUN_FILE)) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        for (String script : List.of("launch.sh", "convert-teacher.sh", "unshard.sh")) {
            Process p = new ProcessBuilder("bash", "-n", run.resolve(script).toString()).redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), script + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        String readme = Files.readString(run.resolve("README.md"));
        assertTrue(readme.contains(BolmoCoreExport.REVISION));
        assertTrue(readme.contains("byteDistillWeight"), "the unmapped setting is named");
        assertEquals(4, exported.blockers().size(), "tiny-olmo is not a teacher bolmo-core runs unmodified");
        String launch = Files.readString(run.resolve("launch.sh"));
        assertTrue(launch.contains("BOLMO4J_FORCE") && launch.contains("train_stage1.py"));
        assertEquals(exported.recipe().dotlist(), Files.readAllLines(run.resolve("bolmo-core/overrides.txt")));
    }

    @Test
    void unshardedOlmoCoreCheckpointRoundTrips() throws IOException {
        Path ckpt = Files.createDirectories(run.resolve("checkpoint"));
        Map<String, HostTensor> olmoCore = new LinkedHashMap<>();
        Random rng = new Random(1);
        try (HfCheckpoint src = HfCheckpoint.open(hf)) {
            for (String name : src.names()) {
                long[] shape = src.info(name).shape();
                float[] data = src.readFloats(name);
                if (name.endsWith("byte_embedding.weight") || name.equals("lm_head.weight")) {
                    data = padRows(data, shape, 640, rng); // olmo-core pads the 520 byte ids to a multiple of 128
                    shape = new long[] {640, shape[1]};
                }
                olmoCore.put(olmoCoreName(name), HostTensor.f32(data, shape));
            }
        }
        olmoCore.put("teacher.embeddings.weight", HostTensor.f32(new float[4224 * 4], 4224, 4));
        olmoCore.put("teacher.lm_head.w_out.weight", HostTensor.f32(new float[8], 2, 4));
        Safetensors.write(ckpt.resolve("model.safetensors"), olmoCore, Map.of());

        Path out = tmp.resolve("imported");
        BolmoCoreImport.ImportedRun r = BolmoCoreImport.importRun(ckpt, out, null);
        assertEquals("olmo-core", r.from());
        assertEquals(2, r.dropped());
        assertSameTensors(hf, out);
        JsonObject want = BolmoCheckpoint.config(hf).toJson(), got = BolmoCheckpoint.config(out).toJson();
        want.remove("torch_dtype");
        got.remove("torch_dtype");
        assertEquals(want, got);
        try (BolmoModel loaded = BolmoCheckpoint.load(out)) {
            assertEquals(BolmoCheckpoint.subwordTokenizer(hf).vocabSize(), BolmoCheckpoint.subwordTokenizer(out).vocabSize());
        }
    }

    @Test
    void convertersHuggingFaceOutputGetsTheTeachersTokenizer() throws IOException {
        Path ckpt = Files.createDirectories(run.resolve("checkpoint-hf"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(hf.resolve(f), ckpt.resolve(f));
        }
        Path out = tmp.resolve("imported-hf");
        assertEquals("hf", BolmoCoreImport.importRun(ckpt, out, run).from());
        assertSameTensors(hf, out);
        assertEquals(Files.readString(run.resolve("tokenizer/tokenizer.json")), Files.readString(out.resolve("tokenizer.json")));
    }

    @Test
    void badCheckpointsAreRefusedInOneLine() throws IOException {
        Path sharded = Files.createDirectories(run.resolve("step10/model_and_optim"));
        Files.writeString(sharded.resolve(".metadata"), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BolmoCoreImport.importRun(sharded.getParent(), tmp.resolve("x"), null));
        assertTrue(e.getMessage().contains("unshard.py"), e.getMessage());

        Path odd = Files.createDirectories(run.resolve("odd"));
        Safetensors.write(odd.resolve("model.safetensors"), Map.of("foo.bar", HostTensor.f32(new float[2], 2)), Map.of());
        RuntimeException u = assertThrows(RuntimeException.class, () -> BolmoCoreImport.importRun(odd, tmp.resolve("y"), null));
        assertTrue(u.getMessage().contains("foo.bar"), u.getMessage());

        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(odd.resolve("model.safetensors"), elsewhere.resolve("model.safetensors"));
        e = assertThrows(IllegalArgumentException.class, () -> BolmoCoreImport.importRun(elsewhere, tmp.resolve("z"), null));
        assertTrue(e.getMessage().contains("--run"), e.getMessage());
    }

    private static void assertSameTensors(Path want, Path got) {
        try (HfCheckpoint a = HfCheckpoint.open(want); HfCheckpoint b = HfCheckpoint.open(got)) {
            assertEquals(new TreeSet<>(a.names()), new TreeSet<>(b.names()));
            for (String n : a.names()) {
                assertArrayEquals(a.info(n).shape(), b.info(n).shape(), n);
                assertArrayEquals(a.readFloats(n), b.readFloats(n), n);
            }
        }
    }

    private static float[] padRows(float[] data, long[] shape, int rows, Random rng) {
        float[] out = Arrays.copyOf(data, rows * (int) shape[1]);
        for (int i = data.length; i < out.length; i++) {
            out[i] = (float) rng.nextGaussian();
        }
        return out;
    }

    /** The fixture's olmo-core name for a Hugging Face name. */
    private static String olmoCoreName(String hfName) throws IOException {
        for (String[] pair : namePairs()) {
            List<String> holes = new ArrayList<>();
            Matcher h = Pattern.compile("\\{([LEDX])}").matcher(pair[1]);
            while (h.find()) {
                holes.add(h.group(1));
            }
            String regex = Pattern.quote(pair[1]).replace("{L}", "\\E(\\d+)\\Q").replace("{E}", "\\E(\\d+)\\Q")
                    .replace("{D}", "\\E(\\d+)\\Q").replace("{X}", "\\E(.+)\\Q");
            Matcher m = Pattern.compile(regex).matcher(hfName);
            if (m.matches()) {
                String name = pair[0];
                for (int i = 0; i < holes.size(); i++) {
                    name = name.replace("{" + holes.get(i) + "}", m.group(i + 1));
                }
                return name;
            }
        }
        throw new AssertionError("the fixture maps no olmo-core name to " + hfName);
    }

    private static List<String[]> namePairs() throws IOException {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = BolmoCoreImportTest.class.getResourceAsStream("bolmo-core-hf-names.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split("\t"));
                }
            }
        }
        return out;
    }
}
