package io.bolmo4j.cli;

import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.engine.Backend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code bolmo4j} command line. Each subcommand is a small class in this package. */
@Command(name = "bolmo4j", mixinStandardHelpOptions = true, version = "bolmo4j 0.1.0",
        description = "Byteify subword language models into byte-level ones (Bolmo), on the JVM.",
        subcommands = {InfoCommand.class, GenerateCommand.class, ChatCommand.class, ScoreCommand.class, LogitsCommand.class,
                BenchCommand.class, DemoCommand.class, PretrainCommand.class, ByteifyCommand.class, Stage2Command.class, EvaluateCommand.class,
                MergeCommand.class, FinetuneCommand.class, CorpusReportCommand.class, BoundaryCeilingCommand.class, TokenizeCommand.class,
                ExportRunCommand.class, ImportRunCommand.class, KernelCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--device", scope = CommandLine.ScopeType.INHERIT,
            description = "auto (default), cpu, gpu or gpu:N (GPU needs a -Pgpu build)")
    void device(String d) {
        device = d;
    }

    @Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, description = "compute threads (default: all cores); 1 makes runs bit-reproducible")
    void threads(int t) {
        threads = t;
    }

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
        System.exit(run(args));
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
            cmd.getErr().println("bolmo4j " + cmd.getCommandName() + ": " + message(ex));
            if (System.getenv("BOLMO4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null ? ex.getClass().getSimpleName() : m;
    }
}
