package io.bolmo4j.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * The reference point of the decode figures: Hugging Face transformers decoding the same folder on the same CPU, in
 * a Python with torch and transformers ({@code hf_decode.py}, shipped in this jar). Found through
 * {@code --anchor-venv DIR} or {@code $BOLMO4J_ANCHOR_VENV}; without one the figure is skipped with one line.
 */
public final class TransformersAnchor {
    /** The environment variable naming the Python virtual environment. */
    public static final String ENV = "BOLMO4J_ANCHOR_VENV";
    private static final String SCRIPT = "hf_decode.py";

    private final Path python;

    private TransformersAnchor(Path python) {
        this.python = python;
    }

    /**
     * The anchor in virtual environment {@code venv}, else {@code $BOLMO4J_ANCHOR_VENV}'s; empty (with one line on
     * {@code out} saying how to enable it) when neither names a folder with {@code bin/python}.
     */
    public static Optional<TransformersAnchor> find(Path venv, PrintStream out) {
        String env = System.getenv(ENV);
        Path dir = venv != null ? venv : env != null && !env.isBlank() ? Path.of(env) : null;
        if (dir == null || !Files.isExecutable(dir.resolve("bin/python"))) {
            out.println("transformers anchor      : skipped: " + (dir == null ? "no Python environment named" : dir + "/bin/python not found")
                    + " (--anchor-venv DIR or $" + ENV + ": a venv with torch and transformers)");
            return Optional.empty();
        }
        return Optional.of(new TransformersAnchor(dir.resolve("bin/python")));
    }

    /**
     * transformers' greedy decode rate of the OLMo folder {@code model}, tokens/s (median of {@code reps}, prefill of
     * {@code promptTokens} untimed); empty, with the reason on {@code out}, when the script fails.
     *
     * @param dtype {@code float32} or {@code bfloat16}
     */
    public OptionalDouble decode(Path model, String dtype, int threads, int promptTokens, int newTokens, int reps, PrintStream out) {
        Path script = null;
        try {
            script = Files.createTempFile("bolmo4j-anchor", ".py");
            try (InputStream in = TransformersAnchor.class.getResourceAsStream(SCRIPT)) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), model.toString(), "--dtype", dtype,
                    "--threads", String.valueOf(threads), "--prompt-tokens", String.valueOf(promptTokens),
                    "--new", String.valueOf(newTokens), "--reps", String.valueOf(reps)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().remove("OMP_WAIT_POLICY"); // as a Python user runs it, not as bolmo4j's launcher sets it
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            String last = output.strip().lines().reduce("", (a, b) -> b);
            if (p.exitValue() == 0 && last.startsWith("{")) {
                JsonObject r = JsonParser.parseString(last).getAsJsonObject();
                out.printf(Locale.ROOT, "transformers anchor      : torch %s, transformers %s, %s, %d thread(s), load %.1f s%n",
                        r.get("torch").getAsString(), r.get("transformers").getAsString(), dtype, threads, r.get("load_s").getAsDouble());
                return OptionalDouble.of(r.get("tokens_per_s").getAsDouble());
            }
            out.println("transformers anchor      : failed: " + last);
            return OptionalDouble.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the transformers anchor with " + python, e);
        } catch (JsonSyntaxException e) {
            out.println("transformers anchor      : failed: unreadable result (" + e.getMessage() + ")");
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
