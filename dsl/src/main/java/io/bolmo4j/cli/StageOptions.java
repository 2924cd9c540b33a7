package io.bolmo4j.cli;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Options that Stage 1 ({@code byteify}) and Stage 2 share ({@code --steps} is per command: the defaults differ). */
final class StageOptions {
    @Option(names = "--data", description = "training text: a file, directory or Dolma JSONL(.gz) (default: the built-in corpus)")
    Path data;

    @Option(names = "--batch", defaultValue = "8", description = "examples per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--bytes", defaultValue = "256", description = "bytes per example (default ${DEFAULT-VALUE})")
    int bytes;

    @Option(names = "--eval-bytes", defaultValue = "20000", description = "held-out bytes for the report (default ${DEFAULT-VALUE})")
    int evalBytes;

    @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})")
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
