package io.bolmo4j.kernel.install;

import com.google.gson.GsonBuilder;
import io.bolmo4j.kernel.KernelMain;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Writes the kernelspec ({@code kernel.json}) where Jupyter finds it: the user's data directory by default, or
 * {@code PREFIX/share/jupyter/kernels/NAME}. The kernel runs on the class path of the JVM that installs it, so
 * install from the build you want Jupyter to use ({@code ./bolmo4j kernel install}), with the libraries whose
 * {@link io.bolmo4j.kernel.KernelExtension}s the sessions should load on that class path.
 */
public final class KernelInstaller {
    /**
     * JVM flags for a fast start (C1 only, serial GC, class-data sharing that falls back quietly if the build changed
     * after install), the exit guard, {@code %env} support, and the Vector API of the Java inference engine.
     */
    public static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:cds=off",
            "-Djava.security.manager=allow", "--add-opens", "java.base/java.util=ALL-UNNAMED", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector");

    private KernelInstaller() {}

    /** Where Jupyter looks for a user's kernelspecs, or {@code PREFIX/share/jupyter/kernels} when a prefix is given. */
    public static Path kernelsDir(Path prefix) {
        return prefix != null ? prefix.resolve("share/jupyter/kernels") : userKernelsDir();
    }

    /** {@code $JUPYTER_DATA_DIR/kernels}, else {@code ~/.local/share/jupyter/kernels} (Linux) as Jupyter does. */
    private static Path userKernelsDir() {
        String data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Path.of(data, "kernels");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("jupyter").resolve("kernels");
    }

    /**
     * Writes {@code dir/kernel.json} for a kernel on this JVM's java and class path, with a class-data sharing
     * archive of a warm-up run ({@code dir/kernel.jsa}) that cuts the kernel's start-up time.
     */
    public static void install(Path dir, String displayName, List<String> extraJvmOptions) throws IOException {
        Files.createDirectories(dir);
        List<String> jvm = new ArrayList<>(JVM_FLAGS);
        jvm.addAll(extraJvmOptions);
        Path archive = dir.resolve("kernel.jsa");
        if (recordArchive(jvm, archive)) {
            jvm.add("-XX:SharedArchiveFile=" + archive);
        }
        List<String> argv = new ArrayList<>(List.of(java()));
        argv.addAll(jvm);
        argv.addAll(List.of("-cp", absoluteClasspath(), KernelMain.class.getName(), "{connection_file}"));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", displayName);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        // idle OpenMP threads sleep instead of spinning: on a shared or busy machine spinning workers take the CPU
        // that the other kernels and the cell's own work need (measured: 5x slower scoring under load)
        spec.put("env", Map.of("OMP_WAIT_POLICY", "PASSIVE"));
        spec.put("metadata", Map.of("debugger", false));
        Path tmp = dir.resolve("kernel.json.tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(spec) + "\n");
        Files.move(tmp, dir.resolve("kernel.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs the kernel's warm-up with {@code -XX:ArchiveClassesAtExit}; false (no archive) if that fails. */
    static boolean recordArchive(List<String> jvm, Path archive) {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds+dynamic=off",
                "-cp", absoluteClasspath(), KernelMain.class.getName(), "--cds-warmup"));
        try {
            Files.deleteIfExists(archive);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(archive) > 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String absoluteClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().normalize().toString()).collect(Collectors.joining(File.pathSeparator));
    }
}
