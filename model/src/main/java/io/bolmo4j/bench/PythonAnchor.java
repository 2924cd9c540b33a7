package io.bolmo4j.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import io.bolmo4j.mlstm.MLstmCell;

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
 * The reference points of the speed figures, what a Python user runs on the same CPU: Hugging Face transformers
 * decoding the same folder ({@code hf_decode.py}) and a PyTorch-eager Stage 1 step at the same sizes
 * ({@code stage1_step.py}), both scripts shipped in this jar and run in a Python with torch and transformers. Found
 * through {@code --anchor-venv DIR} or {@code $BOLMO4J_ANCHOR_VENV}; without one the figures are skipped with one line.
 */
public final class PythonAnchor {
    /** The environment variable naming the Python virtual environment. */
    public static final String ENV = "BOLMO4J_ANCHOR_VENV";

    private final Path python;

    private PythonAnchor(Path python) {
        this.python = python;
    }

    /**
     * The anchor in virtual environment {@code venv}, else {@code $BOLMO4J_ANCHOR_VENV}'s; empty (with one line on
     * {@code out} saying how to enable it) when neither names a folder with {@code bin/python}.
     */
    public static Optional<PythonAnchor> find(Path venv, PrintStream out) {
        String env = System.getenv(ENV);
        Path dir = venv != null ? venv : env != null && !env.isBlank() ? Path.of(env) : null;
        if (dir == null || !Files.isExecutable(dir.resolve("bin/python"))) {
            out.println("python anchor            : skipped: " + (dir == null ? "no Python environment named" : dir + "/bin/python not found")
                    + " (--anchor-venv DIR or $" + ENV + ": a venv with torch and transformers)");
            return Optional.empty();
        }
        return Optional.of(new PythonAnchor(dir.resolve("bin/python")));
    }

    /**
     * transformers' greedy decode rate of the OLMo folder {@code model}, tokens/s (median of {@code reps}, prefill of
     * {@code promptTokens} untimed); empty, with the reason on {@code out}, when the script fails.
     *
     * @param dtype {@code float32} or {@code bfloat16}
     */
    public OptionalDouble decode(Path model, String dtype, int threads, int promptTokens, int newTokens, int reps, PrintStream out) {
        Optional<JsonObject> r = run("hf_decode.py", List.of(model.toString(), "--dtype", dtype, "--threads", String.valueOf(threads),
                "--prompt-tokens", String.valueOf(promptTokens), "--new", String.valueOf(newTokens), "--reps", String.valueOf(reps)), out);
        r.ifPresent(j -> out.printf(Locale.ROOT, "transformers anchor      : torch %s, transformers %s, %s, %d thread(s), load %.1f s%n",
                j.get("torch").getAsString(), j.get("transformers").getAsString(), dtype, threads, j.get("load_s").getAsDouble()));
        return r.map(j -> OptionalDouble.of(j.get("tokens_per_s").getAsDouble())).orElse(OptionalDouble.empty());
    }

    /**
     * The sizes of one Stage 1 step: the teacher's (width, heads, key/value heads, layers, SwiGLU width, subword
     * vocabulary), the local models', the encoder loss's n and τ, and the batch.
     */
    public record Stage1Sizes(int d, int heads, int kvHeads, int layers, int ffn, int vocab, int localHeads, int localFfn,
                              int encoderLayers, int decoderLayers, int n, double tau, int batch, int bytes, double bytesPerToken) {}

    /**
     * What PyTorch eager's Stage 1 step measured: bytes/s (the median step) and the GFLOP of one step's matrix products
     * (forward and backward) as PyTorch counts them, NaN where its torch cannot count.
     */
    public record Stage1Step(double bytesPerSecond, double gflopPerStep) {}

    /**
     * PyTorch eager's Stage 1 step (the paper's loss): the median of {@code steps} steps after a warm-up step, its mLSTM
     * in the chunkwise form bolmo4j trains with (the same chunk size); empty, with the reason on {@code out}, when the
     * script fails.
     */
    public Optional<Stage1Step> stage1(Stage1Sizes s, int threads, int steps, PrintStream out) {
        List<String> args = List.of("--d", s.d(), "--heads", s.heads(), "--kv-heads", s.kvHeads(), "--layers", s.layers(),
                "--ffn", s.ffn(), "--vocab", s.vocab(), "--local-heads", s.localHeads(), "--local-ffn", s.localFfn(),
                "--encoder-layers", s.encoderLayers(), "--decoder-layers", s.decoderLayers(), "--n", s.n(), "--tau", s.tau(),
                "--batch", s.batch(), "--bytes", s.bytes(), "--bytes-per-token", s.bytesPerToken(), "--threads", threads,
                "--steps", steps, "--chunk", MLstmCell.DEFAULT_CHUNK_SIZE).stream().map(String::valueOf).toList();
        Optional<JsonObject> r = run("stage1_step.py", args, out);
        r.ifPresent(j -> out.printf(Locale.ROOT, "pytorch anchor           : torch %s, eager, %d thread(s), mLSTM chunks of %d%n",
                j.get("torch").getAsString(), threads, MLstmCell.DEFAULT_CHUNK_SIZE));
        return r.map(j -> new Stage1Step(j.get("bytes_per_s").getAsDouble(),
                j.get("gflop_per_step").isJsonNull() ? Double.NaN : j.get("gflop_per_step").getAsDouble()));
    }

    /** Runs the jar's script {@code script} with {@code args}; its last line of output is its JSON result. */
    private Optional<JsonObject> run(String script, List<String> args, PrintStream out) {
        Path file = null;
        try {
            file = Files.createTempFile("bolmo4j-anchor", ".py");
            try (InputStream in = PythonAnchor.class.getResourceAsStream(script)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> cmd = new ArrayList<>(List.of(python.toString(), file.toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().remove("OMP_WAIT_POLICY"); // as a Python user runs it, not as bolmo4j's launcher sets it
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            String last = output.strip().lines().reduce("", (a, b) -> b);
            if (p.exitValue() == 0 && last.startsWith("{")) {
                return Optional.of(JsonParser.parseString(last).getAsJsonObject());
            }
            out.println("python anchor            : " + script + " failed: " + last);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the anchor " + script + " with " + python, e);
        } catch (JsonSyntaxException e) {
            out.println("python anchor            : " + script + " failed: unreadable result (" + e.getMessage() + ")");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
