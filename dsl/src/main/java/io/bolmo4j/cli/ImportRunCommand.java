package io.bolmo4j.cli;

import io.bolmo4j.export.BolmoCoreImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

/** Brings a bolmo-core checkpoint back as a Hugging Face Bolmo directory. */
@Command(name = "import-run", description = "Convert a bolmo-core checkpoint to the Hugging Face Bolmo layout: one unsharded"
        + " by the run's unshard.sh (model.safetensors in olmo-core names), or the output of bolmo-core's"
        + " convert_checkpoint_to_hf.py.")
final class ImportRunCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "e.g. RUN_DIR/checkpoint")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "the Hugging Face Bolmo directory to write")
    Path out;

    @Option(names = "--run", description = "the export-run directory (default: found above CHECKPOINT)")
    Path run;

    @Mixin
    Outputs outputs;

    @Override
    public void run() {
        outputs.folder(out, List.of(), new Outputs.Input("CHECKPOINT", checkpoint));
        BolmoCoreImport.ImportedRun r = BolmoCoreImport.importRun(checkpoint, out, run);
        System.out.printf("wrote %s: %d tensors from the %s checkpoint%s%n", r.dir(), r.tensors(), r.from(),
                r.dropped() > 0 ? ", " + r.dropped() + " teacher tensors left out" : "");
    }
}
