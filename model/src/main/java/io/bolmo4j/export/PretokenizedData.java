package io.bolmo4j.export;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.bolmo4j.data.Corpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.io.Sha256;
import io.bolmo4j.progress.Progress;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training text pre-tokenized with the teacher's tokenizer into OLMo-core's numpy format ({@link TokenArrayWriter}),
 * with a manifest of what went in and what came out. Sources are read as {@link Corpus#of(Path)} reads them (plain
 * text, Dolma JSONL, gzipped or not, directories of those), one document at a time. Ids are those of Hugging Face's
 * {@code encode(text, add_special_tokens=False)}, as the Dolma toolkit writes them: literal special-token strings in a
 * text become their ids.
 */
public final class PretokenizedData {
    /** The name of the manifest inside the data directory. */
    public static final String MANIFEST = "manifest.json";

    private PretokenizedData() {}

    /**
     * One input file.
     *
     * @param path      as given (or found under a given directory)
     * @param bytes     file size on disk (compressed size for .gz)
     * @param sha256    hex SHA-256 of the file
     * @param documents documents read from it
     * @param textBytes UTF-8 bytes of their texts
     * @param tokens    ids of their texts, end-of-document ids not counted
     */
    public record SourceFile(String path, long bytes, String sha256, long documents, long textBytes, long tokens) {}

    /**
     * What an export wrote.
     *
     * @param dtype     id type of the arrays
     * @param eosId     the end-of-document id after each document
     * @param vocabSize the tokenizer's vocabulary size (one more than its largest id)
     * @param tokenizer hex SHA-256 of the tokenizer.json used
     * @param sources   input files, in reading order
     * @param arrays    output arrays, in order
     */
    public record Manifest(TokenDtype dtype, int eosId, int vocabSize, String tokenizer, List<SourceFile> sources,
                           List<ArrayFile> arrays) {
        public long documents() {
            return sources.stream().mapToLong(SourceFile::documents).sum();
        }

        public long textBytes() {
            return sources.stream().mapToLong(SourceFile::textBytes).sum();
        }

        /** Text tokens, end-of-document ids not counted. */
        public long tokens() {
            return sources.stream().mapToLong(SourceFile::tokens).sum();
        }

        /** UTF-8 bytes per text token: the natural bytes per patch of Bolmo trained on this data. */
        public double bytesPerToken() {
            return tokens() == 0 ? 0 : (double) textBytes() / tokens();
        }

        public JsonObject toJson() {
            Gson g = new Gson();
            JsonObject o = new JsonObject();
            o.addProperty("format", "OLMo-core numpy token arrays: raw little-endian " + dtype.numpyName()
                    + ", no header, end-of-document id after each document");
            o.addProperty("dtype", dtype.numpyName());
            o.addProperty("eos_token_id", eosId);
            o.addProperty("vocab_size", vocabSize);
            o.addProperty("tokenizer_sha256", tokenizer);
            o.addProperty("documents", documents());
            o.addProperty("text_bytes", textBytes());
            o.addProperty("tokens", tokens());
            o.addProperty("bytes_per_token", bytesPerToken());
            o.add("sources", g.toJsonTree(sources));
            o.add("arrays", g.toJsonTree(arrays));
            return o;
        }
    }

    /**
     * Tokenizes every document of {@code sources} into {@code dataDir} and writes {@code dataDir/manifest.json}.
     *
     * @param tokenizerJson     the tokenizer.json that {@code tokenizer} was loaded from (checksummed in the manifest)
     * @param maxTokensPerFile  ids after which a new array file starts
     * @throws IllegalArgumentException if an id does not fit {@code dtype}
     */
    public static Manifest write(List<Path> sources, Path tokenizerJson, BpeTokenizer tokenizer, int eosId,
                                 TokenDtype dtype, Path dataDir, long maxTokensPerFile) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no data sources given");
        }
        List<Path> files = sources.stream().flatMap(s -> Corpus.files(s).stream()).toList();
        List<SourceFile> read = new ArrayList<>();
        try (TokenArrayWriter writer = new TokenArrayWriter(dataDir, dtype, maxTokensPerFile);
             Progress progress = Progress.start("tokenize", files.size(), "files")) {
            long total = 0;
            for (Path file : files) {
                long docs = 0, textBytes = 0, tokens = 0;
                try (Stream<Document> s = Corpus.of(file).stream()) {
                    for (Iterator<Document> it = s.iterator(); it.hasNext(); ) {
                        Document d = it.next();
                        int[] ids = tokenizer.encodeIds(d.text(), true);
                        writer.add(ids, eosId, d.id(), d.source());
                        docs++;
                        textBytes += d.text().getBytes(StandardCharsets.UTF_8).length;
                        tokens += ids.length;
                    }
                }
                total += tokens;
                read.add(new SourceFile(file.toString(), size(file), sha256(file), docs, textBytes, tokens));
                progress.update(read.size(), Map.of("tokens", total));
            }
            writer.close();
            Manifest m = new Manifest(dtype, eosId, tokenizer.vocabSize(), sha256(tokenizerJson), read, writer.files());
            Files.writeString(dataDir.resolve(MANIFEST), new GsonBuilder().setPrettyPrinting().create().toJson(m.toJson()) + "\n");
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDir.resolve(MANIFEST) + ": " + e.getMessage(), e);
        }
    }

    /** Hex SHA-256 of a file, streamed. */
    static String sha256(Path file) {
        MessageDigest md = Sha256.digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
