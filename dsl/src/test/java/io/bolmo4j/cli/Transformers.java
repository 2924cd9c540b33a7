package io.bolmo4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Hugging Face transformers (Python 3.11, torch, safetensors) in the virtual environment {@code .ci/run} creates at
 * {@code .venv-oracles} in the repository root: it writes checkpoints of the Llama / Qwen families and their logits
 * ({@code model/src/test/python/transformers_checkpoints.py}), the oracle for bolmo4j's loader and forward.
 */
final class Transformers {
    static final Path VENV = Path.of("../.venv-oracles");
    private static final Path SCRIPT = Path.of("../model/src/test/python/transformers_checkpoints.py");

    private Transformers() {}

    /** One checkpoint to write: {@code config.json} keys, where, the ids to run, where the logits go, the seed. */
    record Spec(JsonObject config, Path dir, int[] ids, Path logits, long seed) {}

    /** The environment's python when it has transformers; otherwise empty, after one line saying so (CI: an error). */
    static Optional<Path> python() {
        Path python = VENV.resolve("bin/python");
        boolean ok = false;
        if (Files.isExecutable(python)) {
            try {
                Process p = new ProcessBuilder(python.toString(), "-c", "import torch, transformers, safetensors")
                        .redirectErrorStream(true).start();
                ok = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must create .venv-oracles with torch, transformers and safetensors (see .ci/run)");
        }
        if (!ok) {
            System.err.println("SKIPPED the Hugging Face transformers checks: no .venv-oracles with torch + transformers"
                    + " (python3.11 -m venv .venv-oracles && .venv-oracles/bin/pip install torch transformers safetensors)");
        }
        return ok ? Optional.of(python) : Optional.empty();
    }

    /** Writes every spec's checkpoint and logits in one Python process; returns the library versions it used. */
    static String write(Path python, Spec... specs) throws IOException, InterruptedException {
        JsonArray in = new JsonArray();
        for (Spec s : specs) {
            JsonObject o = new JsonObject();
            o.add("config", s.config());
            o.addProperty("dir", s.dir().toString());
            JsonArray ids = new JsonArray();
            for (int id : s.ids()) {
                ids.add(id);
            }
            o.add("ids", ids);
            o.addProperty("logits", s.logits().toString());
            o.addProperty("seed", s.seed());
            in.add(o);
        }
        ProcessBuilder pb = new ProcessBuilder(python.toString(), SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("HF_HUB_DISABLE_PROGRESS_BARS", "1");
        pb.environment().put("TRANSFORMERS_VERBOSITY", "error");
        pb.environment().put("HF_HUB_OFFLINE", "1");
        Process p = pb.start();
        try (OutputStream os = p.getOutputStream()) {
            os.write(in.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("transformers_checkpoints.py failed: " + out);
        }
        JsonObject v = JsonParser.parseString(out).getAsJsonObject();
        return "transformers " + v.get("transformers").getAsString() + ", torch " + v.get("torch").getAsString();
    }
}
