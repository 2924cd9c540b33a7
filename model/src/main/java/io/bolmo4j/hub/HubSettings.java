package io.bolmo4j.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the Hugging Face Hub and its cache are, read from the variables {@code huggingface_hub} reads, so that Python
 * and bolmo4j share one cache: {@code HF_ENDPOINT} (default https://huggingface.co), {@code HF_HOME} (default
 * {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}), {@code HF_HUB_CACHE} (default
 * {@code $HF_HOME/hub}), {@code HF_HUB_OFFLINE} (1, on, yes or true: never connect) and {@code HF_TOKEN} (else the
 * token {@code huggingface-cli login} stored in {@code $HF_HOME/token}). A JVM system property of the same name
 * overrides the environment variable (e.g. {@code -DHF_HUB_OFFLINE=1} in a notebook).
 *
 * @param endpoint the Hub's address, without a trailing slash
 * @param cache    the hub cache folder ({@code models--ORG--NAME/...} live in it)
 * @param offline  whether to use the cache only
 * @param token    the access token for gated and private repositories; never printed ({@link #toString()} hides it)
 */
public record HubSettings(URI endpoint, Path cache, boolean offline, Optional<String> token) {
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** The variables read, in the names huggingface_hub gives them. */
    static final List<String> VARIABLES = List.of("HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
            "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HF_TOKEN_PATH", "XDG_CACHE_HOME");
    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

    /** The settings of this process: its environment, overridden by system properties of the same names. */
    public static HubSettings current() {
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String v : VARIABLES) {
            String p = System.getProperty(v);
            if (p != null) {
                env.put(v, p);
            }
        }
        return from(env);
    }

    /** The settings an environment describes, resolved as huggingface_hub's {@code constants.py} does. */
    public static HubSettings from(Map<String, String> env) {
        String home = firstSet(env, "HF_HOME")
                .orElse(Path.of(firstSet(env, "XDG_CACHE_HOME").orElse(userHome() + "/.cache"), "huggingface").toString());
        Path hfHome = path(home);
        Path cache = firstSet(env, "HF_HUB_CACHE").or(() -> firstSet(env, "HUGGINGFACE_HUB_CACHE")).map(HubSettings::path)
                .orElse(hfHome.resolve("hub"));
        String endpoint = firstSet(env, "HF_ENDPOINT").orElse(DEFAULT_ENDPOINT).replaceAll("/+$", "");
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        Optional<String> token = firstSet(env, "HF_TOKEN").map(String::strip)
                .or(() -> storedToken(firstSet(env, "HF_TOKEN_PATH").map(HubSettings::path).orElse(hfHome.resolve("token"))));
        return new HubSettings(URI.create(endpoint), cache, offline, token);
    }

    /** Without the token, which must never reach a log. */
    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", cache=" + cache + ", offline=" + offline + ", token="
                + (token.isPresent() ? "(set)" : "(none)") + "]";
    }

    private static Optional<String> firstSet(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    private static boolean isTrue(String v) {
        return v != null && TRUE.contains(v.strip().toUpperCase(Locale.ROOT));
    }

    /** {@code ~} expanded, as {@code os.path.expanduser} does. */
    private static Path path(String p) {
        return Path.of(p.equals("~") || p.startsWith("~/") ? userHome() + p.substring(1) : p);
    }

    private static String userHome() {
        return System.getProperty("user.home");
    }

    private static Optional<String> storedToken(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String t = Files.readString(file).strip();
            return t.isEmpty() ? Optional.empty() : Optional.of(t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored Hugging Face token " + file, e);
        }
    }
}
