package io.bolmo4j.hub;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.oracle.Python311;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One cache, two clients: what bolmo4j downloads, the real huggingface_hub (Python 3.11) finds offline byte for byte,
 * with a clean {@code scan_cache_dir}; what huggingface_hub downloads from the same loopback Hub, bolmo4j uses offline.
 */
class HubCacheInteropTest {
    static LoopbackHub hub;
    static final String SCRIPT = "src/test/python/hub_cache_reference.py";

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        Python311.assume("huggingface_hub");
        byte[] weights = new byte[250_000];
        new Random(5).nextBytes(weights);
        hub = LoopbackHub.start();
        hub.repo("acme/shared").file("config.json", "{\"model_type\": \"olmo2\"}\n").file("tokenizer.json", "{\"x\": [1, 2]}")
                .file("nested/dir/file.txt", "deep").lfs("model.safetensors", weights);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    static Map<String, String> expectedFiles() {
        Map<String, String> m = new TreeMap<>();
        hub.repo("acme/shared").files().forEach((p, b) -> m.put(p, LoopbackHub.sha256(b)));
        return m;
    }

    static Map<String, String> sorted(JsonObject o) {
        Map<String, String> m = new TreeMap<>();
        o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return m;
    }

    static Map<String, String> env(Path cache, boolean offline) {
        return Map.of("HF_HUB_CACHE", cache.toString(), "HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_OFFLINE", offline ? "1" : "0",
                "HF_HUB_DISABLE_TELEMETRY", "1", "HF_TOKEN", "", "HF_HOME", cache.resolve("home").toString());
    }

    @Test
    void whatBolmo4jDownloadsHuggingfaceHubFindsOffline() {
        Path cache = tmp.resolve("hub");
        Path snapshot = new Hub(new HubSettings(hub.endpoint(), cache, false, Optional.empty()))
                .download(HubRepo.parse("acme/shared"), List.of());
        JsonObject py = JsonParser.parseString(Python311.run(env(cache, true), SCRIPT, "read", "acme/shared").ok()).getAsJsonObject();
        assertEquals(snapshot.toString(), py.get("folder").getAsString());
        assertEquals(expectedFiles(), sorted(py.getAsJsonObject("files")), "byte-identical files");
        assertEquals(expectedFiles(), sorted(py.getAsJsonObject("hf_hub_download")));
        assertEquals("[]", py.get("scan_warnings").toString(), "scan_cache_dir finds nothing wrong with the layout");
        assertEquals("[\"main\"]", py.get("refs").toString());
        assertEquals("[\"" + hub.repo("acme/shared").commit() + "\"]", py.get("commits").toString());
        long bytes = hub.repo("acme/shared").files().values().stream().mapToLong(b -> b.length).sum();
        assertTrue(py.get("blob_bytes").getAsLong() >= bytes, py.toString());
    }

    /** Every entry under {@code dir}: a link as "path -> target", a regular file as "path = content" (refs) or its name. */
    static List<String> layout(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> {
                String rel = dir.relativize(p).toString();
                try {
                    if (Files.isSymbolicLink(p)) {
                        return rel + " -> " + Files.readSymbolicLink(p);
                    }
                    return rel.startsWith("refs/") ? rel + " = " + Files.readString(p) : rel;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }

    @Test
    void bothClientsWriteTheSameRepositoryFolder() throws IOException {
        Path ours = tmp.resolve("ours"), theirs = tmp.resolve("theirs");
        new Hub(new HubSettings(hub.endpoint(), ours, false, Optional.empty())).download(HubRepo.parse("acme/shared"), List.of());
        Python311.run(env(theirs, false), SCRIPT, "download", "acme/shared").ok();
        String folder = HubRepo.parse("acme/shared").folderName();
        assertEquals(layout(theirs.resolve(folder)), layout(ours.resolve(folder)));
        assertEquals(layout(theirs.resolve(".locks")), layout(ours.resolve(".locks")));
        assertTrue(Files.exists(theirs.resolve("CACHEDIR.TAG")) && Files.readString(ours.resolve("CACHEDIR.TAG"))
                .startsWith("Signature: 8a477f597d28d172789f06886806bc55"), "both tag the cache for backup tools");
    }

    @Test
    void whatHuggingfaceHubDownloadsBolmo4jUsesOffline() {
        Path cache = tmp.resolve("hub");
        JsonObject py = JsonParser.parseString(Python311.run(env(cache, false), SCRIPT, "download", "acme/shared").ok()).getAsJsonObject();
        assertEquals(expectedFiles(), sorted(py.getAsJsonObject("files")));
        int before = hub.requests().size();
        Hub offline = new Hub(new HubSettings(hub.endpoint(), cache, true, Optional.empty()));
        assertEquals(Path.of(py.get("folder").getAsString()), offline.resolve(HubRepo.parse("acme/shared"), f -> true));
        assertEquals(Path.of(py.get("folder").getAsString()), offline.download(HubRepo.parse("acme/shared"), List.of()));
        Hub online = new Hub(new HubSettings(hub.endpoint(), cache, false, Optional.empty()));
        assertEquals(Path.of(py.get("folder").getAsString()), online.resolve(HubRepo.parse("acme/shared"), ModelPaths.MODEL_FILES));
        assertEquals(before, hub.requests().size(), "the complete snapshot is used without asking the Hub");
    }
}
