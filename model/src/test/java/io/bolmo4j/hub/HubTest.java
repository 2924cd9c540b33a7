package io.bolmo4j.hub;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Hub client against {@link LoopbackHub}: the cache it writes is huggingface_hub's layout (refs, blobs named by
 * ETag, relative snapshot symlinks, the tree cache), large files come through the CDN redirect without the token and
 * are checked against their sha256, interrupted transfers resume with a Range request, and every failure is one line
 * naming the repository, the revision and the file.
 */
class HubTest {
    static LoopbackHub hub;
    static byte[] weights = new byte[300_000];

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        new Random(7).nextBytes(weights);
        hub = LoopbackHub.start();
        hub.repo("acme/tiny").file("config.json", "{\"model_type\": \"olmo2\"}\n").file("tokenizer.json", "{\"tok\": 1}")
                .file("README.md", "# tiny").file("sub/notes.txt", "a nested file").lfs("model.safetensors", weights);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    Hub client(Path cache, String token) {
        return new Hub(new HubSettings(hub.endpoint(), cache, false, Optional.ofNullable(token)));
    }

    Hub offline(Path cache) {
        return new Hub(new HubSettings(hub.endpoint(), cache, true, Optional.empty()));
    }

    @Test
    void downloadWritesHuggingFaceHubsCacheLayout() throws IOException {
        Path cache = tmp.resolve("hub");
        LoopbackHub.Repo repo = hub.repo("acme/tiny");
        Path snapshot = client(cache, null).download(HubRepo.parse("acme/tiny"), List.of());
        Path repoDir = cache.resolve("models--acme--tiny");
        assertEquals(repoDir.resolve("snapshots").resolve(repo.commit()), snapshot);
        assertEquals(repo.commit(), Files.readString(repoDir.resolve("refs/main")), "refs/main holds the bare commit, no newline");
        for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
            Path pointer = snapshot.resolve(f.getKey());
            assertTrue(Files.isSymbolicLink(pointer), f.getKey());
            Path target = Files.readSymbolicLink(pointer);
            assertFalse(target.isAbsolute(), "relative links, as huggingface_hub makes them: " + target);
            assertEquals(repoDir.resolve("blobs").resolve(repo.etag(f.getKey())), pointer.getParent().resolve(target).normalize());
            assertArrayEquals(f.getValue(), Files.readAllBytes(pointer), f.getKey());
        }
        assertEquals("../../blobs/" + repo.etag("config.json"), Files.readSymbolicLink(snapshot.resolve("config.json")).toString());
        assertEquals("../../../blobs/" + repo.etag("sub/notes.txt"), Files.readSymbolicLink(snapshot.resolve("sub/notes.txt")).toString());
        assertEquals(LoopbackHub.sha256(weights), repo.etag("model.safetensors"), "an LFS blob is named by its sha256");
        String tree = Files.readString(repoDir.resolve("trees").resolve(repo.commit() + ".json"));
        assertTrue(tree.contains("\"format_version\": 1") && tree.contains("\"lfs_sha256\": \"" + LoopbackHub.sha256(weights) + "\""), tree);
        assertTrue(Files.isRegularFile(cache.resolve(".locks/models--acme--tiny").resolve(repo.etag("model.safetensors") + ".lock")));
        try (var blobs = Files.list(repoDir.resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
    }

    @Test
    void includeSelectsFilesAndACachedSnapshotIsReusedWithoutTransfers() throws IOException {
        Path cache = tmp.resolve("hub");
        Hub h = client(cache, null);
        HubRepo tiny = HubRepo.parse("acme/tiny");
        Path snapshot = h.download(tiny, List.of("*.json"));
        assertTrue(Files.exists(snapshot.resolve("config.json")) && Files.exists(snapshot.resolve("tokenizer.json")));
        assertFalse(Files.exists(snapshot.resolve("model.safetensors")) || Files.exists(snapshot.resolve("README.md")));

        int before = hub.requests().size();
        assertEquals(snapshot, h.resolve(tiny, f -> f.endsWith(".json")));
        assertEquals(before, hub.requests().size(), "cache first: a complete snapshot needs no request");

        HubException miss = assertThrows(HubException.class, () -> offline(cache).resolve(tiny, ModelPaths.MODEL_FILES));
        assertEquals(HubException.Kind.OFFLINE_MISS, miss.kind());
        assertTrue(miss.getMessage().contains("acme/tiny at revision main") && miss.getMessage().contains("lacks model.safetensors")
                && miss.getMessage().contains("HF_HUB_OFFLINE"), miss.getMessage());

        h.resolve(tiny, ModelPaths.MODEL_FILES);
        List<String> fetched = hub.requests().subList(before, hub.requests().size()).stream()
                .filter(r -> r.method().equals("GET") && !r.path().startsWith("/api/")).map(LoopbackHub.Request::path).toList();
        assertEquals(List.of("/cdn/" + LoopbackHub.sha256(weights)), fetched, "only the missing weights are transferred");
        assertEquals(snapshot, offline(cache).resolve(tiny, ModelPaths.MODEL_FILES), "offline, the cache answers");
    }

    @Test
    void globsFollowFnmatchAsHuggingfaceHubUsesIt() {
        assertTrue(FilePatterns.anyOf(List.of("*.json")).test("sub/config.json"), "* crosses '/' in fnmatch");
        assertTrue(FilePatterns.anyOf(List.of("sub/")).test("sub/a/b.bin"), "a folder pattern takes everything under it");
        assertTrue(FilePatterns.anyOf(List.of("model-0000?-of-*.safetensors")).test("model-00001-of-00002.safetensors"));
        assertTrue(FilePatterns.anyOf(List.of("[!a]*.txt")).test("b.txt"));
        assertFalse(FilePatterns.anyOf(List.of("[!a]*.txt")).test("a.txt"));
        assertFalse(FilePatterns.anyOf(List.of("*.json")).test("model.safetensors"));
        assertTrue(FilePatterns.anyOf(List.of()).test("anything"), "no pattern: every file");
        assertTrue(FilePatterns.anyOf(List.of("a+b.(x)")).test("a+b.(x)"), "regex characters are literal");
    }

    @Test
    void theTokenGoesToTheHubButNotToTheCdn() {
        hub.repo("acme/private").requireToken("hf_secret").file("config.json", "{}").lfs("model.safetensors", weights);
        Path cache = tmp.resolve("hub");
        HubException e = assertThrows(HubException.class, () -> client(cache, null).download(HubRepo.parse("acme/private"), List.of()));
        assertEquals(HubException.Kind.REFUSED, e.kind());
        assertEquals(1, e.getMessage().lines().count());
        assertTrue(e.getMessage().startsWith("401 Unauthorized for acme/private at revision main") && e.getMessage().contains("HF_TOKEN"),
                e.getMessage());
        HubException wrong = assertThrows(HubException.class, () -> client(cache, "hf_wrong").download(HubRepo.parse("acme/private"), List.of()));
        assertFalse(wrong.getMessage().contains("hf_wrong"), "the token is never printed: " + wrong.getMessage());

        int before = hub.requests().size();
        Path snapshot = client(cache, "hf_secret").download(HubRepo.parse("acme/private"), List.of());
        assertTrue(Files.exists(snapshot.resolve("model.safetensors")));
        List<LoopbackHub.Request> rs = hub.requests().subList(before, hub.requests().size());
        assertTrue(rs.stream().filter(r -> !r.path().startsWith("/cdn/")).allMatch(r -> "Bearer hf_secret".equals(r.authorization())), rs.toString());
        assertTrue(rs.stream().filter(r -> r.path().startsWith("/cdn/")).allMatch(r -> r.authorization() == null
                && r.host().startsWith("localhost")), "the CDN on another host gets no token: " + rs);
        assertTrue(new HubSettings(URI.create("http://x"), cache, false, Optional.of("hf_secret")).toString().contains("(set)"));
        assertFalse(new HubSettings(URI.create("http://x"), cache, false, Optional.of("hf_secret")).toString().contains("hf_secret"));
    }

    @Test
    void failuresAreOneLineNamingRepositoryRevisionAndFile() {
        Path cache = tmp.resolve("hub");
        hub.repo("acme/gated").gated().file("config.json", "{}");
        List<HubException> errors = List.of(
                assertThrows(HubException.class, () -> client(cache, null).download(HubRepo.parse("acme/nothing"), List.of())),
                assertThrows(HubException.class, () -> client(cache, null).download(HubRepo.parse("acme/tiny@v9"), List.of())),
                assertThrows(HubException.class, () -> client(cache, "hf_ok").download(HubRepo.parse("acme/gated"), List.of())),
                assertThrows(HubException.class, () -> client(cache, null).download(HubRepo.parse("acme/tiny"), List.of("*.bin"))),
                assertThrows(HubException.class, () -> offline(cache).download(HubRepo.parse("acme/elsewhere@dev"), List.of())));
        List<String> expected = List.of("no repository acme/nothing on " + hub.endpoint() + " (404)", "acme/tiny has no revision 'v9' (404)",
                "acme/gated is gated (403)", "no file of acme/tiny at revision main matches",
                "HF_HUB_OFFLINE is set and acme/elsewhere at revision dev is not in the Hugging Face cache " + cache);
        for (int i = 0; i < errors.size(); i++) {
            String m = errors.get(i).getMessage();
            assertTrue(m.contains(expected.get(i)) && m.lines().count() == 1, m);
        }
        assertEquals(List.of(HubException.Kind.NOT_FOUND, HubException.Kind.NOT_FOUND, HubException.Kind.REFUSED,
                HubException.Kind.NOT_FOUND, HubException.Kind.OFFLINE_MISS), errors.stream().map(HubException::kind).toList());
    }

    @Test
    void aMissingFileIsNamedWithItsRevision() {
        HubClient c = new HubClient(new HubSettings(hub.endpoint(), tmp, false, Optional.empty()));
        HubException e = assertThrows(HubException.class, () -> c.locate(HubRepo.parse("acme/tiny"), "main", "nope.json"));
        assertEquals("acme/tiny has no file nope.json at revision main (404)", e.getMessage());
    }

    @Test
    void aCorruptedTransferNeverEntersTheCache() throws IOException {
        byte[] other = new byte[50_000];
        new Random(3).nextBytes(other);
        hub.repo("acme/corrupt").file("config.json", "{}").lfs("model.safetensors", other);
        hub.corrupt(LoopbackHub.sha256(other));
        Path cache = tmp.resolve("hub");
        HubException e = assertThrows(HubException.class, () -> client(cache, null).download(HubRepo.parse("acme/corrupt"), List.of()));
        assertEquals(HubException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().startsWith("model.safetensors of acme/corrupt at commit " + hub.repo("acme/corrupt").commit()
                + " downloaded with sha256 ") && e.getMessage().contains("the Hub lists " + LoopbackHub.sha256(other)), e.getMessage());
        Path blobs = cache.resolve("models--acme--corrupt/blobs");
        assertFalse(Files.exists(blobs.resolve(LoopbackHub.sha256(other))));
        assertFalse(Files.exists(blobs.resolve(LoopbackHub.sha256(other) + ".incomplete")), "the bad bytes are deleted");
    }

    @Test
    void aDroppedTransferResumesWithARangeRequest() throws IOException {
        byte[] big = new byte[400_000];
        new Random(11).nextBytes(big);
        hub.repo("acme/resume").file("config.json", "{}").lfs("model.safetensors", big);
        hub.cutNextTransferAfter(123_456);
        int before = hub.requests().size();
        Path snapshot = client(tmp.resolve("hub"), null).download(HubRepo.parse("acme/resume"), List.of());
        assertArrayEquals(big, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        List<String> ranges = hub.requests().subList(before, hub.requests().size()).stream().filter(r -> r.path().startsWith("/cdn/"))
                .map(r -> String.valueOf(r.range())).toList();
        assertEquals("null", ranges.get(0));
        assertTrue(ranges.size() == 2 && ranges.get(1).startsWith("bytes=") && !ranges.get(1).equals("bytes=0-"),
                "the second request continues where the first stopped: " + ranges);
    }

    @Test
    void pathsFromTheServerNeverLeaveTheCache() throws IOException {
        hub.repo("acme/evil").file("config.json", "{}").file("../../outside.txt", "escaped");
        Path cache = tmp.resolve("deep/hub");
        HubException e = assertThrows(HubException.class, () -> client(cache, null).download(HubRepo.parse("acme/evil"), List.of()));
        assertTrue(e.getMessage().contains("a file path '../../outside.txt'") && e.getMessage().contains("nothing was written"), e.getMessage());
        try (var s = Files.walk(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals("outside.txt")));
        }
        for (String bad : List.of("a/b@../x", "a/b@/etc", "a/b@refs//x")) {
            assertThrows(IllegalArgumentException.class, () -> HubRepo.parse(bad), bad);
        }
        assertEquals("refs/pr/1", HubRepo.parse("a/b@refs/pr/1").revision());
    }

    @Test
    void treeListingsArePagedByLinkHeaders() {
        hub.pageSize(2);
        try {
            Path snapshot = client(tmp.resolve("paged"), null).download(HubRepo.parse("acme/tiny"), List.of("*.json", "*.md", "sub/"));
            assertTrue(Files.exists(snapshot.resolve("README.md")) && Files.exists(snapshot.resolve("sub/notes.txt"))
                    && Files.exists(snapshot.resolve("config.json")));
        } finally {
            hub.pageSize(1000);
        }
    }

    @Test
    void settingsFollowHuggingfaceHubsVariables() throws IOException {
        String home = System.getProperty("user.home");
        HubSettings d = HubSettings.from(Map.of());
        assertEquals(Path.of(home, ".cache/huggingface/hub"), d.cache());
        assertEquals(URI.create("https://huggingface.co"), d.endpoint());
        assertFalse(d.offline());
        assertEquals(Path.of("/x/huggingface/hub"), HubSettings.from(Map.of("XDG_CACHE_HOME", "/x")).cache());
        assertEquals(Path.of("/h/hub"), HubSettings.from(Map.of("HF_HOME", "/h", "XDG_CACHE_HOME", "/x")).cache());
        assertEquals(Path.of("/c"), HubSettings.from(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c")).cache());
        assertEquals(Path.of(home, "c"), HubSettings.from(Map.of("HF_HUB_CACHE", "~/c")).cache());
        assertEquals(URI.create("http://mirror:8080"), HubSettings.from(Map.of("HF_ENDPOINT", "http://mirror:8080/")).endpoint());
        for (String on : List.of("1", "ON", "yes", "True")) {
            assertTrue(HubSettings.from(Map.of("HF_HUB_OFFLINE", on)).offline(), on);
        }
        assertFalse(HubSettings.from(Map.of("HF_HUB_OFFLINE", "0")).offline());
        assertTrue(HubSettings.from(Map.of("TRANSFORMERS_OFFLINE", "1")).offline());
        Files.writeString(tmp.resolve("token"), "hf_stored\n");
        assertEquals(Optional.of("hf_stored"), HubSettings.from(Map.of("HF_HOME", tmp.toString())).token(), "huggingface-cli login's file");
        assertEquals(Optional.of("hf_env"), HubSettings.from(Map.of("HF_HOME", tmp.toString(), "HF_TOKEN", "hf_env")).token());
    }

    @Test
    void repositoryNamesAndCacheFolders() {
        assertEquals(new HubRepo("allenai/OLMo-2-0425-1B", "main"), HubRepo.parse("allenai/OLMo-2-0425-1B"));
        assertEquals("v1.0", HubRepo.parse("a/b@v1.0").revision());
        assertEquals("models--allenai--Bolmo-1B", HubRepo.parse("allenai/Bolmo-1B").folderName());
        for (String notRepo : List.of("tiny-olmo", "/abs/path", "a/b/c", "runs/../x", "a/b@", "./a", "a--b/c")) {
            assertFalse(HubRepo.looksLike(notRepo), notRepo);
        }
        Path snap = Path.of("/c/hub/models--allenai--OLMo-2-0425-1B/snapshots/0123456789abcdef0123456789abcdef01234567");
        assertEquals(Optional.of(new HubRepo("allenai/OLMo-2-0425-1B", "0123456789abcdef0123456789abcdef01234567")), Hub.repoOf(snap));
        assertEquals(Optional.empty(), Hub.repoOf(Path.of("/c/models/tiny-olmo")));
        assertEquals("a%20b/c%2Bd", HubClient.encode("a b/c+d", true));
        assertEquals("refs%2Fpr%2F1", HubClient.encode("refs/pr/1", false));
        assertEquals("abc", HubClient.normalizeEtag("W/\"abc\""));
    }
}
