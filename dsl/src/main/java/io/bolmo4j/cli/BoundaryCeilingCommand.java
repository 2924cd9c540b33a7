package io.bolmo4j.cli;

import io.bolmo4j.bolmo.eval.BoundaryCeiling;
import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The best boundary accuracy a one-byte-lookahead predictor can reach against each tokenizer's token ends on the
 * built-in test split (see {@link BoundaryCeiling}): why a small-vocabulary teacher caps stage 1 boundary accuracy.
 */
@Command(name = "boundary-ceiling", description = "Boundary accuracy ceiling of a one-byte-lookahead predictor per tokenizer (built-in test split).")
final class BoundaryCeilingCommand implements Runnable {
    @Option(names = "--ranks", split = ",", defaultValue = "4096,16384,32768,100256",
            description = "cl100k prefix vocabularies to compare (default ${DEFAULT-VALUE})")
    List<Integer> ranks;

    @Option(names = "--model", converter = ModelDir.class, description = "also a model's own tokenizer.json (e.g. tiny-olmo)")
    Path model;

    @Option(names = "--max-bytes", defaultValue = "400000", description = "test-split bytes to use (default ${DEFAULT-VALUE})")
    int maxBytes;

    @Override
    public void run() {
        List<String> texts = BuiltinCorpus.test().head(maxBytes);
        System.out.println("| tokenizer | bytes/token | token ends inside words | ceiling |");
        System.out.println("|---|---|---|---|");
        if (model != null) {
            row(model.getFileName().toString(), BoundaryCeiling.estimate(BpeTokenizer.load(model.resolve("tokenizer.json")), texts));
        }
        for (int n : ranks) {
            Cl100kVocab v = n >= Cl100kVocab.RANKS ? Cl100kVocab.full() : Cl100kVocab.firstRanks(n);
            row("cl100k first " + v.rankCount(), BoundaryCeiling.estimate(BpeTokenizer.fromJson(v.toJson()), texts));
        }
    }

    private static void row(String name, BoundaryCeiling.Result r) {
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f %% | %.4f |%n", name, r.bytesPerToken(), 100 * r.wordInternalShare(), r.ceiling());
    }
}
