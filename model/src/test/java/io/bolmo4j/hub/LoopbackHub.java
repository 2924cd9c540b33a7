package io.bolmo4j.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Hugging Face Hub on the loopback interface that speaks the file API huggingface_hub and bolmo4j use, for tests that
 * must stay offline: {@code GET /api/models/{repo}/revision/{rev}} (the commit sha and the files), {@code GET
 * /api/models/{repo}/tree/{rev}?recursive=true} (paged with Link headers when {@link #pageSize} is set), and
 * {@code HEAD}/{@code GET /{repo}/resolve/{rev}/{path}} with {@code X-Repo-Commit} and {@code ETag} (the git blob id).
 * A git-lfs file answers with a redirect to a "CDN" on another host name ({@code localhost} instead of
 * {@code 127.0.0.1}), carrying {@code X-Linked-Etag} (its sha256) and {@code X-Linked-Size}, as the real Hub does; the
 * CDN serves byte ranges. Private repositories answer 401 without their token, gated ones 403 with the
 * {@code GatedRepo} error code; unknown repositories, revisions and files 404 with the Hub's {@code X-Error-Code}.
 * Faults for tests: a corrupted blob, a transfer cut or stalled after some bytes.
 */
public final class LoopbackHub implements AutoCloseable {
    private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)(/.*)?");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
    private static final Pattern CDN = Pattern.compile("/cdn/([0-9a-f]{64})");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    /** One request as the server saw it. */
    public record Request(String method, String host, String path, String range, String authorization) {}

    private final HttpServer server;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile long cutAfter = -1;
    private volatile long stallAfter = -1;
    private final AtomicLong stalledBytes = new AtomicLong(-1);
    private volatile int pageSize = 1000;

    private LoopbackHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-hub");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public static LoopbackHub start() {
        try {
            return new LoopbackHub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What HF_ENDPOINT must say. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The repository {@code id}, created empty on first use. */
    public Repo repo(String id) {
        return repos.computeIfAbsent(id, Repo::new);
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Serves the blob with this sha256 with its first byte flipped. */
    public void corrupt(String sha256) {
        corrupted.add(sha256);
    }

    /** The next CDN transfer closes its connection after {@code bytes} bytes. */
    public void cutNextTransferAfter(long bytes) {
        cutAfter = bytes;
    }

    /** The next CDN transfer sends {@code bytes} bytes, then hangs until the hub closes. */
    public void stallNextTransferAfter(long bytes) {
        stallAfter = bytes;
    }

    /** Bytes the stalled transfer has sent and flushed (-1 before it has). */
    public long stalledBytes() {
        return stalledBytes.get();
    }

    /** Tree listings come in pages of {@code n} entries, linked by {@code Link: <...>; rel="next"}. */
    public void pageSize(int n) {
        pageSize = n;
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }

    /** A repository: files at one commit on {@code main}. */
    public final class Repo {
        private final String id;
        private final Map<String, byte[]> files = new TreeMap<>();
        private final Set<String> lfs = ConcurrentHashMap.newKeySet();
        private volatile String token;
        private volatile boolean gated;

        private Repo(String id) {
            this.id = id;
        }

        /** A small file stored in git. */
        public synchronized Repo file(String path, byte[] content) {
            files.put(path, content.clone());
            return this;
        }

        public Repo file(String path, String content) {
            return file(path, content.getBytes(StandardCharsets.UTF_8));
        }

        /** A large file stored with git-lfs (served through the CDN redirect). */
        public synchronized Repo lfs(String path, byte[] content) {
            lfs.add(path);
            return file(path, content);
        }

        /** Every file of {@code dir} (recursively): safetensors as git-lfs files, the rest in git. */
        public Repo folder(Path dir) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = dir.relativize(f).toString().replace('\\', '/');
                    byte[] b = Files.readAllBytes(f);
                    if (rel.endsWith(".safetensors")) {
                        lfs(rel, b);
                    } else {
                        file(rel, b);
                    }
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Private: requests need {@code Authorization: Bearer TOKEN} (401 otherwise). */
        public Repo requireToken(String t) {
            token = t;
            return this;
        }

        /** Gated: even a valid token gets 403 GatedRepo (its user has not accepted the conditions). */
        public Repo gated() {
            gated = true;
            return this;
        }

        /** The commit of {@code main}: a hash of the repository's content, so it changes when a file does. */
        public synchronized String commit() {
            MessageDigest d = digest("SHA-1");
            files.forEach((p, b) -> {
                d.update(p.getBytes(StandardCharsets.UTF_8));
                d.update(b);
            });
            return HexFormat.of().formatHex(d.digest());
        }

        public synchronized Map<String, byte[]> files() {
            return new LinkedHashMap<>(files);
        }

        public boolean isLfs(String path) {
            return lfs.contains(path);
        }

        /** What the ETag of a file is: its sha256 for git-lfs, its git blob id otherwise. */
        public synchronized String etag(String path) {
            byte[] b = files.get(path);
            return lfs.contains(path) ? sha256(b) : gitBlobId(b);
        }
    }

    public static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(b));
    }

    static String gitBlobId(byte[] b) {
        MessageDigest d = digest("SHA-1");
        d.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(d.digest(b));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestHeaders().getFirst("Host"), path,
                    ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
            Matcher m;
            if ((m = CDN.matcher(path)).matches()) {
                cdn(ex, m.group(1));
            } else if ((m = API.matcher(path)).matches()) {
                api(ex, m.group(1), m.group(2), m.group(3));
            } else if ((m = RESOLVE.matcher(path)).matches()) {
                resolve(ex, m.group(1), m.group(2), m.group(3));
            } else {
                error(ex, 404, null, "no route");
            }
        }
    }

    /** The repository, or null after answering its error (missing, private without token, gated). */
    private Repo access(HttpExchange ex, String id) throws IOException {
        Repo r = repos.get(id);
        if (r == null) {
            error(ex, 404, "RepoNotFound", "Repository not found");
            return null;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (r.token != null && !("Bearer " + r.token).equals(auth)) {
            error(ex, 401, null, "Invalid credentials");
            return null;
        }
        if (r.gated) {
            error(ex, 403, "GatedRepo", "Access to this model is restricted");
            return null;
        }
        return r;
    }

    private static boolean knownRevision(Repo r, String rev) {
        return rev.equals("main") || rev.equals(r.commit());
    }

    private void api(HttpExchange ex, String id, String kind, String rev) throws IOException {
        Repo r = access(ex, id);
        if (r == null) {
            return;
        }
        if (!knownRevision(r, rev)) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
            return;
        }
        Map<String, byte[]> files = r.files();
        if (kind.equals("revision")) {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.addProperty("modelId", id);
            o.addProperty("sha", r.commit());
            o.addProperty("private", r.token != null);
            JsonArray siblings = new JsonArray();
            files.keySet().forEach(p -> {
                JsonObject s = new JsonObject();
                s.addProperty("rfilename", p);
                siblings.add(s);
            });
            o.add("siblings", siblings);
            json(ex, o.toString(), null);
            return;
        }
        List<JsonObject> entries = new ArrayList<>();
        Set<String> folders = new TreeSet<>();
        files.forEach((p, b) -> {
            for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
                folders.add(p.substring(0, i));
            }
            JsonObject e = new JsonObject();
            e.addProperty("type", "file");
            e.addProperty("path", p);
            e.addProperty("size", b.length);
            if (r.isLfs(p)) {
                String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256(b) + "\nsize " + b.length + "\n";
                e.addProperty("oid", gitBlobId(pointer.getBytes(StandardCharsets.US_ASCII)));
                JsonObject lfs = new JsonObject();
                lfs.addProperty("oid", sha256(b));
                lfs.addProperty("size", b.length);
                lfs.addProperty("pointerSize", pointer.length());
                e.add("lfs", lfs);
            } else {
                e.addProperty("oid", gitBlobId(b));
            }
            entries.add(e);
        });
        for (String f : folders) {
            JsonObject e = new JsonObject();
            e.addProperty("type", "directory");
            e.addProperty("path", f);
            e.addProperty("oid", gitBlobId(f.getBytes(StandardCharsets.UTF_8)));
            e.addProperty("size", 0);
            entries.add(e);
        }
        String q = ex.getRequestURI().getQuery();
        int from = q != null && q.contains("cursor=") ? Integer.parseInt(q.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
        int to = Math.min(entries.size(), from + pageSize);
        JsonArray page = new JsonArray();
        entries.subList(from, to).forEach(page::add);
        String next = to < entries.size() ? "<" + endpoint() + ex.getRequestURI().getPath() + "?recursive=true&cursor=" + to
                + ">; rel=\"next\"" : null;
        json(ex, page.toString(), next);
    }

    private void resolve(HttpExchange ex, String id, String rev, String file) throws IOException {
        Repo r = access(ex, id);
        if (r == null) {
            return;
        }
        if (!knownRevision(r, rev)) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
            return;
        }
        Headers h = ex.getResponseHeaders();
        h.set("X-Repo-Commit", r.commit());
        byte[] b = r.files().get(file);
        if (b == null) {
            error(ex, 404, "EntryNotFound", file + " does not exist on \"" + rev + "\"");
            return;
        }
        if (r.isLfs(file)) {
            String sha = sha256(b);
            h.set("ETag", "W/\"" + gitBlobId(sha.getBytes(StandardCharsets.US_ASCII)) + "\"");
            h.set("X-Linked-Etag", "\"" + sha + "\"");
            h.set("X-Linked-Size", String.valueOf(b.length));
            h.set("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + sha + "?signature=abc");
            ex.sendResponseHeaders(302, -1);
            return;
        }
        h.set("ETag", "\"" + gitBlobId(b) + "\"");
        body(ex, 200, b, 0);
    }

    private void cdn(HttpExchange ex, String sha) throws IOException {
        byte[] b = repos.values().stream().flatMap(r -> r.files().values().stream()).filter(x -> sha256(x).equals(sha))
                .findFirst().orElse(null);
        if (b == null) {
            error(ex, 404, null, "no such object");
            return;
        }
        if (corrupted.contains(sha)) {
            b = b.clone();
            b[0] ^= 1;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        long from = m != null && m.matches() ? Long.parseLong(m.group(1)) : 0;
        if (from > b.length) {
            ex.getResponseHeaders().set("Content-Range", "bytes */" + b.length);
            ex.sendResponseHeaders(416, -1);
            return;
        }
        if (from > 0) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        }
        body(ex, from > 0 ? 206 : 200, b, (int) from);
    }

    /** Sends {@code b[from..]} (headers only for HEAD), applying a pending cut or stall. */
    private void body(HttpExchange ex, int status, byte[] b, int from) throws IOException {
        int n = b.length - from;
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(n));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        long cut = cutAfter, stall = stallAfter;
        boolean cdn = ex.getRequestURI().getPath().startsWith("/cdn/");
        ex.sendResponseHeaders(status, n);
        OutputStream out = ex.getResponseBody();
        if (cdn && cut >= 0) {
            cutAfter = -1;
            out.write(b, from, (int) Math.min(cut, n));
            out.flush();
            throw new IOException("cut after " + cut + " bytes (test fault)"); // the server drops the connection
        }
        if (cdn && stall >= 0) {
            stallAfter = -1;
            out.write(b, from, (int) Math.min(stall, n));
            out.flush();
            stalledBytes.set(Math.min(stall, n));
            try {
                closing.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stalled transfer ends (test fault)");
        }
        out.write(b, from, n);
    }

    private static void json(HttpExchange ex, String body, String link) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (link != null) {
            ex.getResponseHeaders().set("Link", link);
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        byte[] b = ("{\"error\": \"" + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
        }
    }
}
