package io.bolmo4j.cli;

import io.bolmo4j.kernel.bench.KernelBench;
import io.bolmo4j.kernel.install.KernelInstaller;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The Jupyter kernel: install its kernelspec for this build, or measure its start-up and cell latency. */
@Command(name = "kernel", description = "The bolmo4j Jupyter kernel (Java through JShell, with the DSL imported).",
        subcommands = {KernelCommand.Install.class, KernelCommand.Bench.class})
final class KernelCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("name a subcommand: install or bench (see 'bolmo4j kernel --help')");
    }

    @Command(name = "install", description = "Write the kernelspec (kernel.json) for this build, so Jupyter lists the bolmo4j kernel.")
    static final class Install implements Callable<Integer> {
        @Option(names = "--prefix", description = "install into PREFIX/share/jupyter/kernels (default: the user's Jupyter data directory)")
        Path prefix;

        @Option(names = "--name", defaultValue = "bolmo4j", description = "kernelspec name (default ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--display-name", defaultValue = "Java (bolmo4j)", description = "name shown in Jupyter (default ${DEFAULT-VALUE})")
        String displayName;

        @Option(names = "--jvm-opt", description = "an extra JVM option for the kernel process, e.g. -Xmx16g (repeatable)")
        List<String> jvmOptions = new ArrayList<>();

        @Override
        public Integer call() {
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--name may only use letters, digits, '.', '_' and '-': " + name);
            }
            Path dir = KernelInstaller.kernelsDir(prefix).resolve(name);
            try {
                KernelInstaller.install(dir, displayName, jvmOptions);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the kernelspec in " + dir + ": " + e.getMessage(), e);
            }
            System.out.println("Installed kernelspec '" + name + "' in " + dir);
            System.out.println("Start Jupyter with `jupyter lab` (or `jupyter notebook`) and choose \"" + displayName + "\";");
            System.out.println("headless: jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=" + name + " NOTEBOOK.ipynb");
            return 0;
        }
    }

    @Command(name = "bench", description = "Start-to-ready time and trivial-cell latency with a real Jupyter client (medians).")
    static final class Bench implements Callable<Integer> {
        @Option(names = "--starts", defaultValue = "7", description = "kernel starts (default ${DEFAULT-VALUE})")
        int starts;

        @Option(names = "--cells", defaultValue = "100", description = "cells (default ${DEFAULT-VALUE})")
        int cells;

        @Override
        public Integer call() throws Exception {
            return KernelBench.run(starts, cells);
        }
    }
}
