package io.bolmo4j.cli;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.olmo.LoadedOlmo;
import io.bolmo4j.olmo.TextScore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Bits per byte of a model on each source's test split, next to gzip -9 and xz -9e on the same bytes (the floor that
 * classical compressors give; the README quotes this table for the built-in teacher).
 */
@Command(name = "corpus-report", description = "Model bits/byte per source on the built-in test split, next to gzip and xz.")
final class CorpusReportCommand implements Runnable {
    @Option(names = "--model", required = true, converter = ModelDir.class, description = "OLMo directory (or tiny-olmo, or a Hub model ORG/NAME[@REV])")
    Path model;

    @Option(names = "--max-bytes", defaultValue = "60000", description = "bytes per source at most (default ${DEFAULT-VALUE})")
    int maxBytes;

    @Override
    public void run() {
        Main.configureBackend();
        System.out.println("| source | test bytes | model bits/byte | gzip -9 | xz -9e |");
        System.out.println("|---|---|---|---|---|");
        try (LoadedOlmo lm = LoadedOlmo.load(model)) {
            double nll = 0;
            long all = 0;
            for (BuiltinCorpus.Source src : BuiltinCorpus.sources()) {
                StringBuilder sb = new StringBuilder();
                for (Document d : BuiltinCorpus.test(src).toList()) {
                    if (sb.length() >= maxBytes) {
                        break;
                    }
                    sb.append(d.text(), 0, Math.min(d.text().length(), maxBytes - sb.length())).append("\n\n");
                }
                String text = sb.toString();
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                TextScore s = lm.score(text);
                nll += s.nllNats();
                all += s.bytes();
                System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.3f | %s |%n", src.id(), bytes.length, s.bitsPerByte(),
                        8.0 * gzip(bytes) / bytes.length, xz(bytes));
            }
            System.out.printf(Locale.ROOT, "| all | %,d | %.3f | | |%n", all, nll / Math.log(2) / all);
        }
    }

    static long gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(9))) {
            z.write(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.size();
    }

    /** xz -9e via the system binary; "n/a" where it is not installed. */
    static String xz(byte[] b) {
        try {
            Process p = new ProcessBuilder("xz", "-9e", "-c").start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(b);
            }
            long size = p.getInputStream().readAllBytes().length;
            return p.waitFor() == 0 ? String.format(Locale.ROOT, "%.3f", 8.0 * size / b.length) : "n/a";
        } catch (IOException | InterruptedException e) {
            return "n/a";
        }
    }
}
