package io.bolmo4j.export;

import io.bolmo4j.io.Sha256;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Streams documents into flat token-id arrays as OLMo-core reads them: raw little-endian memmaps without a numpy
 * header (named {@code .npy}, as the Dolma toolkit names them), each document's ids followed by the end-of-document
 * id. A new file starts once a file holds {@code maxTokensPerFile} ids; documents are never split across files. Beside
 * each array a gzipped CSV lists its documents ({@code start,end,id,source}, end exclusive, EOS included), the
 * metadata OLMo-core's {@code iter_document_indices} reads. Memory stays constant whatever the corpus size.
 */
final class TokenArrayWriter implements AutoCloseable {
    private final Path dir;
    private final TokenDtype dtype;
    private final long maxTokensPerFile;
    private final List<ArrayFile> done = new ArrayList<>();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private MessageDigest digest;
    private OutputStream out;
    private Writer meta;
    private String name;
    private long tokens;
    private long documents;

    TokenArrayWriter(Path dir, TokenDtype dtype, long maxTokensPerFile) {
        if (maxTokensPerFile < 1) {
            throw new IllegalArgumentException("maxTokensPerFile must be >= 1, got " + maxTokensPerFile);
        }
        this.dir = dir;
        this.dtype = dtype;
        this.maxTokensPerFile = maxTokensPerFile;
    }

    /** Appends one document: its ids, then {@code eos}. */
    void add(int[] ids, int eos, String id, String source) {
        try {
            if (out == null || tokens >= maxTokensPerFile) {
                finishFile();
                openFile();
            }
            long start = tokens;
            for (int t : ids) {
                put(t);
            }
            put(eos);
            documents++;
            meta.write(start + "," + tokens + "," + csv(id) + "," + csv(source) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** The files written so far (all of them after {@link #close()}). */
    List<ArrayFile> files() {
        return List.copyOf(done);
    }

    @Override
    public void close() {
        try {
            finishFile();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private void put(int id) throws IOException {
        if (id < 0 || id > dtype.max()) {
            throw new IllegalArgumentException("token id " + id + " does not fit " + dtype.numpyName());
        }
        if (buf.remaining() < dtype.bytes()) {
            flush();
        }
        switch (dtype) {
            case UINT8 -> buf.put((byte) id);
            case UINT16 -> buf.putShort((short) id);
            case UINT32 -> buf.putInt(id);
        }
        tokens++;
    }

    private void flush() throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    private void openFile() throws IOException {
        name = String.format("part-%05d.npy", done.size());
        Files.createDirectories(dir);
        digest = Sha256.digest();
        out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(name)), 1 << 16), digest);
        meta = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(dir.resolve(name.replace(".npy", ".csv.gz")))),
                StandardCharsets.UTF_8);
        tokens = 0;
        documents = 0;
    }

    private void finishFile() throws IOException {
        if (out == null) {
            return;
        }
        flush();
        out.close();
        meta.close();
        out = null;
        done.add(new ArrayFile(name, tokens, documents, tokens * dtype.bytes(), HexFormat.of().formatHex(digest.digest())));
    }

    /** A CSV field: quoted when it holds a comma, quote or line break. */
    private static String csv(String s) {
        return s.matches("[^,\"\r\n]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
