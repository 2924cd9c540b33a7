package io.bolmo4j.kernel.install;

import com.google.gson.GsonBuilder;
import io.bolmo4j.kernel.KernelMain;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the kernelspec ({@code kernel.json}) where Jupyter finds it: the user's data directory by default, or
 * {@code PREFIX/share/jupyter/kernels/NAME}. The kernel runs on the class path of the JVM that installs it, so
 * install from the build you want Jupyter to use ({@code ./bolmo4j kernel install}).
 */
public final class KernelInstaller {
    /**
     * JVM flags for a fast start (C1 only, serial GC, class-data sharing that falls back quietly if the build changed
     * after install), the exit guard, and {@code %env} support.
     */
    public static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:cds=off",
            "-Djava.security.manager=allow", "--add-opens", "java.base/java.util=ALL-UNNAMED", "-Dai.djl.offline=true");

    private KernelInstaller() {}

    /** Parses options, installs, prints what to do next; returns the exit status. */
    public static int run(String[] args) {
        Path target = null;
        String name = "bolmo4j", display = "Java (bolmo4j)";
        List<String> extra = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--user" -> target = null;
                    case "--prefix" -> target = Path.of(value(args, ++i, "--prefix")).resolve("share/jupyter/kernels");
                    case "--name" -> name = value(args, ++i, "--name");
                    case "--display-name" -> display = value(args, ++i, "--display-name");
                    case "--jvm-opt" -> extra.add(value(args, ++i, "--jvm-opt"));
                    case "-h", "--help" -> {
                        System.out.println("bolmo4j kernel install [--user | --prefix DIR] [--name NAME] [--display-name TEXT] [--jvm-opt OPT]...");
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--name may only use letters, digits, '.', '_' and '-': " + name);
            }
            Path dir = (target != null ? target : userKernelsDir()).resolve(name);
            install(dir, display, extra);
            System.out.println("Installed kernelspec '" + name + "' in " + dir);
            System.out.println("Start Jupyter with `jupyter lab` (or `jupyter notebook`) and choose \"" + display + "\";");
            System.out.println("headless: jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=" + name + " NOTEBOOK.ipynb");
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("bolmo4j kernel install: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("bolmo4j kernel install: cannot write the kernelspec: " + e.getMessage());
            return 1;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** {@code $JUPYTER_DATA_DIR/kernels}, else {@code ~/.local/share/jupyter/kernels} (Linux) as Jupyter does. */
    static Path userKernelsDir() {
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
        List<String> argv = new ArrayList<>();
        argv.add(java());
        argv.addAll(jvm);
        argv.add("-cp");
        argv.add(absoluteClasspath());
        argv.add(KernelMain.class.getName());
        argv.add("{connection_file}");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", displayName);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", Map.of());
        spec.put("metadata", Map.of("debugger", false));
        Path tmp = dir.resolve("kernel.json.tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(spec) + "\n");
        Files.move(tmp, dir.resolve("kernel.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
            return p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(archive) > 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String absoluteClasspath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                out.add(Path.of(e).toAbsolutePath().normalize().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
