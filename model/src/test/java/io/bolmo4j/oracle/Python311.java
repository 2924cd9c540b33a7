package io.bolmo4j.oracle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Python 3.11 oracles (huggingface_hub, transformers, torch, safetensors from the machines' wheel mirror) in the
 * virtual environment {@code .venv-oracles/} at the repository root, which {@code .ci/run} creates. Tests that need
 * them skip with one line where it is absent; under CI a missing package fails instead.
 */
public final class Python311 {
    /** The venv folder, relative to the repository root (git-ignored). */
    public static final String VENV = ".venv-oracles";

    private Python311() {}

    /** What a script printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** The output, failing the test with the script's stderr when it did not exit 0. */
        public String ok() {
            if (exitCode != 0) {
                throw new AssertionError("python exited " + exitCode + ":\n" + stderr + stdout);
            }
            return stdout;
        }
    }

    /** The venv's interpreter, if the venv exists at or above the working directory. */
    public static Optional<Path> python() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path py = p.resolve(VENV).resolve("bin").resolve("python");
            if (Files.isExecutable(py)) {
                return Optional.of(py);
            }
        }
        return Optional.empty();
    }

    /** Skips the calling test (one line on stderr) unless the venv imports every one of {@code modules}. */
    public static void assume(String... modules) {
        Optional<Path> py = python();
        String imports = "import " + String.join(", ", modules);
        boolean ok = py.isPresent() && run(Map.of(), "-c", imports).exitCode() == 0;
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must provide " + VENV + " with " + String.join(", ", modules) + " (see .ci/run)");
        }
        if (!ok) {
            System.err.println("SKIPPED: no Python 3.11 oracle with " + String.join(", ", modules) + " in " + VENV
                    + " (python3.11 -m venv " + VENV + " && " + VENV + "/bin/pip install torch transformers safetensors huggingface_hub)");
        }
        assumeTrue(ok, VENV + " with " + String.join(", ", modules) + " not installed");
    }

    /** Runs the venv's python with {@code args} and extra environment variables (10 minutes at most). */
    public static Result run(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(python().orElseThrow(() -> new IllegalStateException("no " + VENV)).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("python did not finish in 10 minutes: " + cmd);
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
