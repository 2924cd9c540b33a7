package io.bolmo4j.cli;

import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.hub.HubException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The {@code bolmo4j} command line. Each subcommand is a small class in this package. */
@Command(name = "bolmo4j", mixinStandardHelpOptions = true, version = "bolmo4j 0.1.0",
        description = "Byteify subword language models into byte-level ones (Bolmo), on the JVM.",
        subcommands = {InfoCommand.class, GenerateCommand.class, ChatCommand.class, ScoreCommand.class, LogitsCommand.class,
                BenchCommand.class, DemoCommand.class, PretrainCommand.class, ByteifyCommand.class, Stage2Command.class, EvaluateCommand.class,
                MergeCommand.class, FinetuneCommand.class, CorpusReportCommand.class, BoundaryCeilingCommand.class, TokenizeCommand.class,
                DownloadCommand.class, ExportRunCommand.class, ImportRunCommand.class, KernelCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--device", scope = CommandLine.ScopeType.INHERIT,
            description = "auto (default), cpu, gpu or gpu:N (GPU needs a -Pgpu build)")
    void device(String d) {
        device = d;
    }

    @Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, description = "compute threads (default: all cores); 1 makes runs bit-reproducible")
    void threads(int t) {
        if (t < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be an integer >= 1, got " + t);
        }
        threads = t;
    }

    @Spec
    CommandSpec spec;

    private static String device;
    private static Integer threads;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Applies --device/--threads before the engine starts; commands call it first. */
    static void configureBackend() {
        Backend.configure(device, threads);
    }

    /** Prints {@code text} at once: a prompt, or a piece of an answer streamed as it is generated. */
    static void printNow(String text) {
        System.out.print(text);
        System.out.flush();
    }

    public static void main(String[] args) {
        // whatever the locale: text in and out is UTF-8, as the models read and write it
        System.setOut(utf8(FileDescriptor.out));
        System.setErr(utf8(FileDescriptor.err));
        String[] strict;
        try {
            strict = RawArgs.of(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bolmo4j: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(strict));
    }

    /** A stream like the JVM's own System.out/err (small buffer, flushed at line ends), in UTF-8. */
    private static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 128), true, StandardCharsets.UTF_8);
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        device = null; // options of an earlier in-process run do not carry over
        threads = null;
        InferenceEngine.configure(null); // --engine of an earlier in-process run neither
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // --help and --version on every command, also the ones added later (help has its own)
        cl.getSubcommands().values().stream().map(CommandLine::getCommandSpec)
                .filter(spec -> spec.findOption("--help") == null).forEach(spec -> spec.mixinStandardHelpOptions(true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Bad input is reported in one line, not a stack trace; set BOLMO4J_DEBUG=1 for the trace.
            cmd.getErr().println("bolmo4j " + cmd.getCommandName() + ": " + SettingOptions.inOptionWords(cmd.getCommandSpec(), message(ex)));
            if (System.getenv("BOLMO4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, arguments) -> {
            // a model argument's download failed while the arguments were read: a failure of the run, not of its usage
            if (ex.getCause() instanceof HubException hub) {
                return cl.getExecutionExceptionHandler().handleExecutionException(hub, ex.getCommandLine(), null);
            }
            return usage.handleParseException(ex, arguments);
        });
        try {
            return cl.execute(args);
        } finally {
            Outputs.releaseAll();
        }
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null ? ex.getClass().getSimpleName() : m;
    }
}
