package io.bolmo4j.export;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Debian's programs the export checks use: /usr/bin/python3 with numpy (the independent reader of the arrays), shellcheck. */
final class Python {
    private Python() {}

    /** Skips the calling test when numpy is missing (CI installs it, and there a missing numpy fails). */
    static void assumeNumpy() {
        assumeTrue(installed("python3-numpy", "the numpy reader checks", "/usr/bin/python3", "-c", "import numpy"),
                "/usr/bin/python3 with numpy not installed");
    }

    /**
     * Whether {@code probe} runs: a Debian package's program or module some checks need. Absent, the checks are skipped
     * with one line naming {@code what} and the package, except on CI, which installs them all (see .ci/run).
     */
    static boolean installed(String debianPackage, String what, String... probe) {
        boolean ok;
        try {
            ok = new ProcessBuilder(probe).redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must install " + debianPackage + " (see .ci/run)");
        }
        if (!ok) {
            System.err.println("SKIPPED " + what + ": " + debianPackage + " is not installed (sudo apt-get install "
                    + debianPackage + ")");
        }
        return ok;
    }

    /** Runs a script of src/test/python and parses its JSON output. */
    static JsonObject run(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "src/test/python/" + script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(script + " failed: " + err);
        }
        return JsonParser.parseString(out).getAsJsonObject();
    }
}
