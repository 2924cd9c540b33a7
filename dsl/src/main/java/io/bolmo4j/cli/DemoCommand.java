package io.bolmo4j.cli;

import io.bolmo4j.bolmo.eval.BolmoEval;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The main job in one command: byteify the built-in teacher with a short Stage 1, then report what came out next to
 * the teacher. A second run reuses the saved Bolmo and only reports.
 */
@Command(name = "demo", description = "Byteify the built-in teacher tiny-olmo (a short Stage 1, about 4 minutes on 2 cores),"
        + " then report boundaries, bits per byte and generations next to the teacher.")
final class DemoCommand implements Runnable {
    private static final String PROMPT = "The people of the United States";
    private static final String SENTENCE = "We hold these truths to be self-evident, that all men are created equal.";

    @Option(names = "--out", defaultValue = "runs/demo", description = "where the Bolmo is saved, and reused from (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--steps", defaultValue = "200", description = "Stage 1 steps when training (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--eval-bytes", defaultValue = "8000",
            description = "held-out characters for the report, an equal share of each built-in source (default ${DEFAULT-VALUE})")
    int evalBytes;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
        BolmoEval.requireHeldOut("--eval-bytes", evalBytes);
        Main.configureBackend();
        try (Olmo teacher = Olmo.tiny(); Bolmo bolmo = byteified(teacher)) {
            report(bolmo.evaluation(evalBytes));
            System.out.println("\nBoundaries of one sentence (| ends a Bolmo patch / a subword token):");
            System.out.println(bolmo.boundaries(SENTENCE));
            System.out.println("\nGreedy continuations of \"" + PROMPT + "\":");
            System.out.println("  teacher: " + oneLine(teacher.generate(PROMPT, g -> g.maxNew(16))));
            System.out.println("  Bolmo:   " + oneLine(bolmo.generate(PROMPT, g -> g.maxNew(64))));
            System.out.println("\nThe Bolmo checkpoint (Hugging Face layout) is in " + out.toAbsolutePath());
            System.out.println("Next:");
            System.out.println("  ./bolmo4j generate " + out + " --prompt \"The whale\" --max-new 200 --temperature 0.7");
            System.out.println("  ./bolmo4j byteify --teacher tiny-olmo --out runs/bolmo --steps 1000      # a longer Stage 1 (about 22 min)");
            System.out.println("  ./bolmo4j stage2 " + out + " --out runs/demo-stage2 --target-bytes-per-patch 6   # Stage 2, more compression");
            System.out.println("  notebooks/01-quickstart.ipynb                                              # the same in Jupyter (see README)");
        }
    }

    /** The saved Bolmo when a previous run left one, else a fresh byteification with a short Stage 1. */
    private Bolmo byteified(Olmo teacher) {
        if (Files.exists(out.resolve("config.json"))) {
            System.out.println("Reusing the Bolmo in " + out + " (delete the folder to train again).");
            return Bolmo.load(out).teacher(teacher);
        }
        outputs.folder(out, List.of());
        System.out.printf(Locale.ROOT, "Byteifying tiny-olmo, the built-in OLMo 2 teacher: Stage 1 distils it into a byte-level"
                + " Bolmo with its transformer frozen (%d steps of 8 x 256 bytes).%n", steps);
        Bolmo bolmo = Bolmo.byteify(teacher).stage1(s -> s.steps(steps));
        bolmo.save(out);
        return bolmo;
    }

    private void report(BolmoEval.Result r) {
        System.out.printf(Locale.ROOT, "%nHeld-out report (%,d bytes of the validation split, the same bytes for both models):%n", r.bytes());
        line("boundary accuracy vs the teacher's tokenizer", String.format(Locale.ROOT, "%.1f %% (precision %.1f %%, recall %.1f %%)",
                100 * r.boundaryAccuracy(), 100 * r.boundaryPrecision(), 100 * r.boundaryRecall()));
        line("bytes per patch", String.format(Locale.ROOT, "%.3g (the tokenizer's: %.3g)", r.bytesPerPatch(), r.subwordBytesPerPatch()));
        line("bits per byte, teacher", String.format(Locale.ROOT, "%.4g", r.teacherBitsPerByte()));
        line("bits per byte, Bolmo", String.format(Locale.ROOT, "%.4g (%.3g x the teacher's)", r.bolmoBitsPerByte(),
                r.bolmoBitsPerByte() / r.teacherBitsPerByte()));
        line("bits per byte, Bolmo on the tokenizer's patches", String.format(Locale.ROOT, "%.4g (an optimistic oracle)",
                r.subwordBoundaryBitsPerByte()));
    }

    private static void line(String label, String value) {
        System.out.printf(Locale.ROOT, "  %-48s %s%n", label, value);
    }

    private static String oneLine(String s) {
        return s.replace("\n", "\\n");
    }
}
