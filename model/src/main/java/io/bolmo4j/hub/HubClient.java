package io.bolmo4j.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hub's file API over {@link HttpClient}, asked as huggingface_hub asks it: {@code GET /api/models/{repo}/revision/
 * {rev}} for the commit, {@code GET /api/models/{repo}/tree/{commit}?recursive=true} for the files (paged by Link
 * headers), {@code HEAD /{repo}/resolve/{commit}/{path}} for a file's ETag, size and location (redirects followed on
 * the Hub's host only: a large file's redirect to a CDN carries its metadata in {@code X-Linked-Etag} /
 * {@code X-Linked-Size}), then {@code GET} of that location, with {@code Range} to resume. The token goes to the Hub's
 * host only, never to a CDN.
 */
final class HubClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(30);
    /** A transfer that receives nothing this long is dropped (and resumed by the next attempt). */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_REDIRECTS = 10;
    private static final int ATTEMPTS = 4;
    private static final String USER_AGENT = "bolmo4j/0.1.0; java/" + System.getProperty("java.version");
    private static final Pattern NEXT_PAGE = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final Pattern CONTENT_RANGE_START = Pattern.compile("bytes (\\d+)-");

    /** Where a file's bytes are and what they must be, from the HEAD of its resolve URL. */
    record Location(URI url, String etag, String commit, long size) {}

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                // h2 over TLS; plain http (a mirror, a test server) stays HTTP/1.1 instead of trying an h2c upgrade
                .version("https".equals(settings.endpoint().getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The commit {@code repo}'s revision points at now. */
    String commit(HubRepo repo) {
        URI u = api(repo, "revision/" + encode(repo.revision(), false));
        HttpResponse<String> r = send(request(u).GET().build(), HttpResponse.BodyHandlers.ofString(), repo, null);
        try {
            JsonElement sha = JsonParser.parseString(r.body()).getAsJsonObject().get("sha");
            if (sha == null || sha.isJsonNull()) {
                throw new JsonParseException("no sha");
            }
            return sha.getAsString();
        } catch (JsonParseException | IllegalStateException e) {
            throw new HubException(HubException.Kind.UNREACHABLE, settings.endpoint() + " did not answer like the Hugging Face Hub"
                    + " for " + repo + " (no commit sha in " + u + "); check HF_ENDPOINT");
        }
    }

    /** Every file of {@code repo} at {@code commit}. */
    List<RepoFile> tree(HubRepo repo, String commit) {
        List<RepoFile> files = new ArrayList<>();
        URI next = URI.create(api(repo, "tree/" + encode(commit, false)) + "?recursive=true&expand=false");
        while (next != null) {
            HttpResponse<String> r = send(request(next).GET().build(), HttpResponse.BodyHandlers.ofString(), repo, null);
            try {
                JsonArray entries = JsonParser.parseString(r.body()).getAsJsonArray();
                for (JsonElement e : entries) {
                    JsonObject o = e.getAsJsonObject();
                    if (!"file".equals(o.get("type").getAsString())) {
                        continue;
                    }
                    JsonObject lfs = o.has("lfs") && o.get("lfs").isJsonObject() ? o.getAsJsonObject("lfs") : null;
                    files.add(new RepoFile(o.get("path").getAsString(), o.get("size").getAsLong(), o.get("oid").getAsString(),
                            lfs == null ? null : lfs.get("oid").getAsString(),
                            o.has("xetHash") && !o.get("xetHash").isJsonNull() ? o.get("xetHash").getAsString() : null));
                }
            } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
                throw new HubException(HubException.Kind.UNREACHABLE, settings.endpoint() + " did not answer like the Hugging Face Hub"
                        + " for the file list of " + repo + " (" + next + "); check HF_ENDPOINT");
            }
            next = r.headers().firstValue("Link").map(NEXT_PAGE::matcher).filter(Matcher::find)
                    .map(m -> r.uri().resolve(m.group(1))).orElse(null);
        }
        return files;
    }

    /** The HEAD of {@code path}'s resolve URL, following redirects that stay on the Hub's host. */
    Location locate(HubRepo repo, String commit, String path) {
        URI url = URI.create(settings.endpoint() + "/" + repo.id() + "/resolve/" + encode(commit, false) + "/" + encode(path, true));
        for (int hop = 0; hop < MAX_REDIRECTS; hop++) {
            HttpRequest req = request(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").build();
            HttpResponse<Void> r = send(req, HttpResponse.BodyHandlers.discarding(), repo.at(commit), path);
            HttpHeaders h = r.headers();
            Optional<URI> redirect = redirect(r);
            if (redirect.isPresent() && sameHost(url, redirect.get())) {
                url = redirect.get();
                continue;
            }
            String head = url + " (" + path + " of " + repo + ")";
            String sha = h.firstValue("X-Repo-Commit").orElseThrow(() -> new HubException(HubException.Kind.UNREACHABLE,
                    settings.endpoint() + " does not look like a Hugging Face Hub: no X-Repo-Commit header for " + head
                            + "; check HF_ENDPOINT"));
            String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(HubClient::normalizeEtag)
                    .orElseThrow(() -> new HubException(HubException.Kind.UNREACHABLE, "no ETag for " + head
                            + ": the file cannot be cached reliably"));
            long size = h.firstValue("X-Linked-Size").map(Long::parseLong)
                    .orElse(redirect.isPresent() ? -1L : h.firstValueAsLong("Content-Length").orElse(-1L));
            return new Location(redirect.orElse(url), etag, sha, size);
        }
        throw new HubException(HubException.Kind.UNREACHABLE, "too many redirects for " + path + " of " + repo);
    }

    /** {@code W/"abc"} and {@code "abc"} become {@code abc}, the blob's name (huggingface_hub's _normalize_etag). */
    static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.replace("\"", "");
    }

    /**
     * Appends the rest of the file at {@code loc} to {@code partial}: a Range request from its current size, restarted
     * from zero where a server ignores the range; connection failures are retried from where they stopped.
     *
     * @param onBytes told of every chunk written (negative when a restart discards what was there)
     */
    void fetch(HubRepo repo, String path, Location loc, Path partial, LongConsumer onBytes) {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                fetchOnce(repo, path, loc, partial, onBytes);
                return;
            } catch (IOException e) {
                last = e; // dropped connection or stall: resume where the file stops
            }
        }
        throw new HubException(HubException.Kind.UNREACHABLE, "download of " + path + " from " + repo + " failed " + ATTEMPTS
                + " times (" + last.getMessage() + "); the part already downloaded is kept and the next run resumes it", last);
    }

    private void fetchOnce(HubRepo repo, String path, Location loc, Path partial, LongConsumer onBytes) throws IOException {
        URI url = loc.url();
        for (int hop = 0; hop < MAX_REDIRECTS; hop++) {
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            if (loc.size() >= 0 && have == loc.size()) {
                return;
            }
            if (loc.size() >= 0 && have > loc.size()) {
                onBytes.accept(-have);
                Files.delete(partial); // longer than the file: not a prefix of it
                have = 0;
            }
            HttpRequest.Builder b = request(url).GET().header("Accept-Encoding", "identity");
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
            AtomicReference<ToFile> sink = new AtomicReference<>();
            long offset = have;
            BodyHandler<Void> handler = info -> {
                if (info.statusCode() != 200 && info.statusCode() != 206) {
                    return BodySubscribers.discarding();
                }
                ToFile t = ToFile.open(partial, start(info, offset), offset, onBytes);
                sink.set(t);
                return t;
            };
            HttpResponse<Void> r = await(http.sendAsync(b.build(), handler), sink, url);
            Optional<URI> redirect = redirect(r);
            if (redirect.isPresent()) {
                url = redirect.get();
                continue;
            }
            if (r.statusCode() == 416) { // the range starts past the end: start over
                onBytes.accept(-have);
                Files.delete(partial);
                continue;
            }
            check(r, repo.at(loc.commit()), path);
            long got = Files.size(partial);
            if (loc.size() >= 0 && got != loc.size()) {
                throw new IOException("received " + got + " of " + loc.size() + " bytes");
            }
            return;
        }
        throw new HubException(HubException.Kind.UNREACHABLE, "too many redirects downloading " + path + " of " + repo);
    }

    /** Where a 200 or 206 answer's bytes go: a 206 continues at {@code have}, a 200 (range ignored) from zero. */
    private static long start(ResponseInfo info, long have) {
        if (info.statusCode() == 200) {
            return 0;
        }
        long from = info.headers().firstValue("Content-Range").map(CONTENT_RANGE_START::matcher).filter(Matcher::find)
                .map(m -> Long.parseLong(m.group(1))).orElse(have);
        return from == have ? have : 0;
    }

    /** Waits for a transfer, dropping it when no bytes arrived for {@link #STALL_NANOS}. */
    private static HttpResponse<Void> await(CompletableFuture<HttpResponse<Void>> f, AtomicReference<ToFile> sink, URI url)
            throws IOException {
        while (true) {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                ToFile t = sink.get();
                if (t != null && System.nanoTime() - t.lastData > STALL_NANOS) {
                    t.abort(new IOException("no data for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s from " + url.getHost()));
                }
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof HubException h) {
                    throw h;
                }
                throw c instanceof IOException io ? io : new IOException(String.valueOf(c.getMessage()), c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                ToFile t = sink.get();
                if (t != null) {
                    t.abort(new InterruptedIOException("interrupted"));
                }
                throw new InterruptedIOException("download interrupted");
            }
        }
    }

    /** Streams a response body into the partial file, telling how many bytes each chunk added. */
    private static final class ToFile implements BodySubscriber<Void> {
        private final FileChannel channel;
        private final LongConsumer onBytes;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        volatile long lastData = System.nanoTime();

        private ToFile(FileChannel channel, LongConsumer onBytes) {
            this.channel = channel;
            this.onBytes = onBytes;
        }

        static ToFile open(Path partial, long start, long have, LongConsumer onBytes) {
            try {
                FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                ch.truncate(start);
                ch.position(start);
                if (start < have) {
                    onBytes.accept(start - have); // the server sent the whole file: what was there is rewritten
                }
                return new ToFile(ch, onBytes);
            } catch (IOException e) {
                throw new HubException(HubException.Kind.UNREACHABLE, "cannot write " + partial + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer b : buffers) {
                    int n = b.remaining();
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                    onBytes.accept(n);
                }
                lastData = System.nanoTime();
                subscription.request(1);
            } catch (IOException | RuntimeException e) {
                abort(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            close();
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            close();
            done.complete(null);
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        void abort(Throwable t) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            close();
            done.completeExceptionally(t);
        }

        private void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the next attempt reopens the file; a short write shows in its size
            }
        }
    }

    private <T> HttpResponse<T> send(HttpRequest req, BodyHandler<T> handler, HubRepo repo, String file) {
        HttpResponse<T> r;
        try {
            r = http.send(req, handler);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.UNREACHABLE, "cannot reach " + settings.endpoint() + " for " + repo
                    + (file == null ? "" : " (" + file + ")") + ": " + describe(e) + "; set HF_HUB_OFFLINE=1 to use the cache only", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.UNREACHABLE, "interrupted while asking " + settings.endpoint() + " for " + repo);
        }
        if (redirect(r).isEmpty()) {
            check(r, repo, file);
        }
        return r;
    }

    /** The exception's class and the first message along its causes (HttpClient's ConnectException has none itself). */
    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return e.getClass().getSimpleName() + " " + t.getMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return e.getClass().getSimpleName() + (root == e ? "" : " (" + root.getClass().getSimpleName() + ")");
    }

    /** Turns an error answer into one line naming the repository, revision and file. */
    private void check(HttpResponse<?> r, HubRepo repo, String file) {
        int status = r.statusCode();
        if (status < 400) {
            return;
        }
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String what = file == null ? repo.id() + " at revision " + repo.revision()
                : file + " of " + repo.id() + " at revision " + repo.revision();
        String token = settings.token().isPresent() ? "the token in HF_TOKEN" : "no token (HF_TOKEN is not set)";
        String web = settings.endpoint() + "/" + repo.id();
        HubException.Kind notFound = HubException.Kind.NOT_FOUND;
        throw switch (code) {
            case "RepoNotFound" -> new HubException(notFound, "no repository " + repo.id() + " on " + settings.endpoint()
                    + " (" + status + "), or it is private and " + token + " cannot read it");
            case "RevisionNotFound" -> new HubException(notFound, repo.id() + " has no revision '" + repo.revision() + "' (" + status + ")");
            case "EntryNotFound" -> new HubException(notFound, repo.id() + " has no file " + file + " at revision "
                    + repo.revision() + " (" + status + ")");
            case "GatedRepo" -> new HubException(HubException.Kind.REFUSED, repo.id() + " is gated (" + status + "): accept its"
                    + " conditions on " + web + " with the account whose token is in HF_TOKEN (sent: " + token + ")");
            default -> switch (status) {
                case 401 -> new HubException(HubException.Kind.REFUSED, "401 Unauthorized for " + what + ": sent " + token
                        + "; a private or gated repository needs a token that can read it in HF_TOKEN");
                case 403 -> new HubException(HubException.Kind.REFUSED, "403 Forbidden for " + what + ": " + token
                        + " may not read it; if it is gated, accept its conditions on " + web);
                case 404 -> new HubException(notFound, "404 Not Found for " + what + " on " + settings.endpoint());
                default -> new HubException(HubException.Kind.UNREACHABLE, settings.endpoint() + " answered " + status + " for " + what
                        + r.headers().firstValue("X-Error-Message").map(m -> ": " + m).orElse(""));
            };
        };
    }

    private static Optional<URI> redirect(HttpResponse<?> r) {
        int s = r.statusCode();
        if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
            return Optional.empty();
        }
        return r.headers().firstValue("Location").map(l -> r.uri().resolve(l));
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private HttpRequest.Builder request(URI u) {
        HttpRequest.Builder b = HttpRequest.newBuilder(u).timeout(HEADERS_TIMEOUT).header("User-Agent", USER_AGENT);
        if (settings.token().isPresent() && sameHost(u, settings.endpoint())) {
            b.header("Authorization", "Bearer " + settings.token().get());
        }
        return b;
    }

    private URI api(HubRepo repo, String rest) {
        return URI.create(settings.endpoint() + "/api/models/" + repo.id() + "/" + rest);
    }

    /** Percent-encoding as Python's {@code urllib.parse.quote}, keeping '/' for file paths. */
    static String encode(String s, boolean keepSlash) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_.-~".indexOf(c) >= 0 || keepSlash && c == '/') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return b.toString();
    }
}
