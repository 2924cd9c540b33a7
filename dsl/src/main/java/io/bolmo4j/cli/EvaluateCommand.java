package io.bolmo4j.cli;

import io.bolmo4j.bolmo.eval.BolmoEval;
import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.Olmo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** The held-out report of a Bolmo directory, the one {@code byteify}, {@code stage2} and the DSL's {@code evaluate} give. */
@Command(name = "evaluate", description = "Held-out report of a Bolmo directory: boundary accuracy against the subword"
        + " tokenizer, bytes per patch, bits per byte (next to the teacher's with --teacher).")
final class EvaluateCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", converter = ModelDir.class, description = "Bolmo directory")
    Path dir;

    @Option(names = "--teacher", converter = ModelDir.class, description = "the OLMo it was byteified from, for its bits per byte")
    Path teacher;

    @Option(names = "--eval-bytes", defaultValue = "" + BolmoEval.DEFAULT_HELD_OUT,
            description = "held-out characters, an equal share of each built-in source (default ${DEFAULT-VALUE})")
    int evalBytes;

    @Option(names = "--json", description = "print the figures as one JSON object")
    boolean json;

    @Override
    public void run() {
        BolmoEval.requireHeldOut("--eval-bytes", evalBytes);
        Main.configureBackend();
        try (Bolmo bolmo = Bolmo.load(dir); Olmo olmo = teacher == null ? null : Olmo.load(teacher)) {
            BolmoEval.Result r = bolmo.teacher(olmo).evaluation(evalBytes);
            System.out.println(json ? r.toJson() : "held-out: " + r);
        }
    }
}
