package io.bolmo4j.cli;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Options that Stage 1 ({@code byteify}) and Stage 2 share; defaults come from {@link StageDefaults}. */
final class StageOptions {
    @Option(names = "--data", description = "training text: a file, directory or Dolma JSONL(.gz) (default: the built-in corpus)")
    Path data;

    @Option(names = "--steps", description = "optimizer steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", description = "examples per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--bytes", description = "bytes per example (default ${DEFAULT-VALUE})")
    int bytes;

    @Option(names = "--eval-bytes", description = "held-out characters for the report, an equal share of each built-in"
            + " source (default ${DEFAULT-VALUE})")
    int evalBytes;

    @Option(names = "--seed", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "100",
            description = "steps between resumable checkpoints in OUT/<stage>_checkpoint; a killed run started again"
                    + " with the same options continues from the last one (default ${DEFAULT-VALUE})")
    int checkpointEvery;

    /** Where a command's stage keeps its resumable checkpoint. */
    static Path checkpointDir(Path out, String stage) {
        return out.resolve(stage + "_checkpoint");
    }

    /** The training texts. */
    List<String> texts() {
        Corpus corpus = data != null ? Corpus.of(data) : BuiltinCorpus.train();
        return corpus.stream().map(Document::text).toList();
    }
}
