package io.bolmo4j.cli;

import io.bolmo4j.olmo.OlmoCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "info", description = "Architecture summary and parameter count of a checkpoint directory.")
final class InfoCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", description = "Hugging Face checkpoint directory")
    Path dir;

    @Override
    public void run() {
        dirRun(dir);
    }

    void dirRun(Path dir) {
        OlmoCheckpoint.Summary s = OlmoCheckpoint.summary(dir);
        System.out.println(dir);
        System.out.println("  architecture : " + s.config());
        System.out.printf(Locale.ROOT, "  parameters   : %,d (%.2f M)%n", s.parameters(), s.parameters() / 1e6);
        System.out.println("  weights      : " + s.weights());
        System.out.println("  tokenizer    : " + s.tokenizer());
    }
}
