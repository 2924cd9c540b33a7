package io.bolmo4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.hub.LoopbackHub;
import io.bolmo4j.oracle.Python311;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bolmo4j download} and {@code ORG/NAME} model arguments against a loopback Hub: the downloaded model scores
 * as its folder does, also offline and also when huggingface_hub (Python) downloaded it; a killed download resumes;
 * a missing repository, a refused token, a corrupted file and an offline miss are each one line.
 */
class HubCommandsTest {
    static LoopbackHub hub;
    static Path olmo;
    static final String TEXT = "Call me Ishmael.";

    @TempDir
    static Path root;

    @BeforeAll
    static void serve() {
        olmo = CliTest.tinyOlmo(root.resolve("olmo"));
        hub = LoopbackHub.start();
        hub.repo("acme/tiny-olmo").folder(olmo).file("README.md", "# a tiny OLMo");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /** Runs the command line in-process with the Hub variables given as system properties. */
    static String[] run(Map<String, String> hubVariables, String... args) {
        hubVariables.forEach(System::setProperty);
        try {
            return CliTest.run(args);
        } finally {
            hubVariables.keySet().forEach(System::clearProperty);
        }
    }

    static Map<String, String> vars(Path cache, boolean offline) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("HF_ENDPOINT", hub.endpoint().toString());
        m.put("HF_HUB_CACHE", cache.toString());
        m.put("HF_HUB_OFFLINE", offline ? "1" : "0");
        m.put("HF_TOKEN", "");
        return m;
    }

    static JsonObject score(Map<String, String> vars, String model) {
        String[] r = run(vars, "score", model, "--text", TEXT);
        assertEquals("0", r[0], r[2]);
        return JsonParser.parseString(r[1]).getAsJsonObject();
    }

    @Test
    void aHubModelScoresAsItsFolderAlsoOffline() {
        Path cache = root.resolve("cache-java");
        JsonObject expected = score(Map.of(), olmo.toString());
        String[] d = run(vars(cache, false), "download", "acme/tiny-olmo", "--include", "*.json", "*.safetensors");
        assertEquals("0", d[0], d[2]);
        Path snapshot = Path.of(d[1].strip());
        assertEquals(cache.resolve("models--acme--tiny-olmo/snapshots").resolve(hub.repo("acme/tiny-olmo").commit()), snapshot);
        assertFalse(Files.exists(snapshot.resolve("README.md")), "--include left it out");
        assertEquals(expected.toString(), score(vars(cache, true), "acme/tiny-olmo").toString());
        assertEquals(expected.toString(), score(vars(cache, false), "acme/tiny-olmo@main").toString());
    }

    @Test
    void whatHuggingfaceHubDownloadedScoresOffline() {
        Python311.assume("huggingface_hub");
        Path cache = root.resolve("cache-python");
        Map<String, String> env = new LinkedHashMap<>(vars(cache, false));
        env.put("HF_HOME", root.resolve("py-home").toString());
        Python311.run(env, "-c", "from huggingface_hub import snapshot_download; print(snapshot_download('acme/tiny-olmo'))").ok();
        int before = hub.requests().size();
        assertEquals(score(Map.of(), olmo.toString()).toString(), score(vars(cache, true), "acme/tiny-olmo").toString());
        assertEquals(before, hub.requests().size(), "offline: no request");
    }

    @Test
    void aModelArgumentDownloadsIntoTheCacheOnFirstUse() {
        Path cache = root.resolve("cache-first-use");
        String[] r = run(vars(cache, false), "info", "acme/tiny-olmo");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("models--acme--tiny-olmo") && r[1].contains("olmo2(d=32"), r[1]);
        assertFalse(Files.exists(Path.of(r[1].lines().findFirst().orElseThrow()).resolve("README.md")), "only the model's files");
    }

    @Test
    void failuresAreOneLine() {
        Path cache = root.resolve("cache-errors");
        byte[] weights = new byte[60_000];
        new Random(1).nextBytes(weights);
        hub.repo("acme/private").requireToken("hf_right").file("config.json", "{}");
        hub.repo("acme/broken").file("config.json", "{}").lfs("model.safetensors", weights);
        hub.corrupt(LoopbackHub.sha256(weights));
        Map<String, String> wrongToken = vars(cache, false);
        wrongToken.put("HF_TOKEN", "hf_wrong");
        List<String[]> runs = List.of(
                run(vars(cache, false), "score", "acme/nothing", "--text", TEXT),
                run(wrongToken, "download", "acme/private"),
                run(vars(cache, false), "download", "acme/broken"),
                run(vars(cache, true), "info", "acme/tiny-olmo@v2"));
        List<String> expected = List.of("no folder acme/nothing here, and no repository acme/nothing on " + hub.endpoint(),
                "401 Unauthorized for acme/private at revision main: sent the token in HF_TOKEN",
                "model.safetensors of acme/broken at commit " + hub.repo("acme/broken").commit() + " downloaded with sha256",
                "HF_HUB_OFFLINE is set and acme/tiny-olmo at revision v2 is not in the Hugging Face cache " + cache);
        for (int i = 0; i < runs.size(); i++) {
            String[] r = runs.get(i);
            String err = r[2].lines().filter(l -> !l.startsWith("download ")).reduce("", (a, b) -> a + b + "\n");
            assertEquals("1", r[0], err);
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("bolmo4j ") && err.contains(expected.get(i)) && !err.contains("hf_wrong"), err);
        }
    }

    @Test
    void aKilledDownloadResumes() throws IOException, InterruptedException {
        byte[] big = new byte[2_000_000];
        new Random(2).nextBytes(big);
        hub.repo("acme/big").file("config.json", "{}").lfs("model.safetensors", big);
        String sha = LoopbackHub.sha256(big);
        Path cache = root.resolve("cache-killed");
        Path partial = cache.resolve("models--acme--big/blobs").resolve(sha + ".incomplete");
        hub.stallNextTransferAfter(700_000);

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "download", "acme/big"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve("killed.log").toFile());
        pb.environment().putAll(vars(cache, false));
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(partial) && Files.size(partial) == 700_000) && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(50);
        }
        assertEquals(700_000, Files.size(partial), Files.readString(root.resolve("killed.log")));
        p.destroyForcibly().waitFor(); // SIGKILL: no cleanup runs
        assertTrue(Files.exists(partial), "the partial download survives the kill");

        int before = hub.requests().size();
        String[] r = run(vars(cache, false), "download", "acme/big");
        assertEquals("0", r[0], r[2]);
        assertArrayEquals(big, Files.readAllBytes(Path.of(r[1].strip()).resolve("model.safetensors")));
        assertEquals(List.of("bytes=700000-"), hub.requests().subList(before, hub.requests().size()).stream()
                .filter(q -> q.path().startsWith("/cdn/")).map(LoopbackHub.Request::range).toList(), "resumed, not restarted");
        assertFalse(Files.exists(partial));
    }
}
