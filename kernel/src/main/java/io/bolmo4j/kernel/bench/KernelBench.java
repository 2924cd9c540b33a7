package io.bolmo4j.kernel.bench;

import io.bolmo4j.kernel.install.KernelInstaller;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bolmo4j kernel bench [--starts N] [--cells N]}: installs this build as a throwaway kernelspec and measures,
 * with a real Jupyter client (Debian's jupyter-client), the kernel's start-to-ready time and trivial-cell latency.
 * A benchmark, not a test: it prints medians and leaves judging to the reader.
 */
public final class KernelBench {
    private KernelBench() {}

    /** Starts the kernel {@code starts} times and runs {@code cells} trivial cells; returns the client's exit status. */
    public static int run(int starts, int cells) throws IOException, InterruptedException {
        Path prefix = Files.createTempDirectory("bolmo4j-kernel-bench");
        KernelInstaller.install(prefix.resolve("share/jupyter/kernels/bolmo4j-bench"), "bench", List.of());
        Path script = prefix.resolve("kernel_bench.py");
        try (InputStream in = KernelBench.class.getResourceAsStream("kernel_bench.py")) {
            Files.copy(in, script);
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "bolmo4j-bench",
                String.valueOf(starts), String.valueOf(cells)).inheritIO();
        pb.environment().put("JUPYTER_PATH", prefix.resolve("share/jupyter").toString());
        pb.environment().put("JUPYTER_RUNTIME_DIR", prefix.resolve("runtime").toString());
        return pb.start().waitFor();
    }
}
