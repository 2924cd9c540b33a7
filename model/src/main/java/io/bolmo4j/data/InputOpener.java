package io.bolmo4j.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens a byte source as UTF-8 text, transparently gunzipping it when it starts with the gzip magic bytes. */
@FunctionalInterface
interface InputOpener {
    /** Opens the raw bytes. */
    InputStream openRaw() throws IOException;

    /** An opener for a file. */
    static InputOpener of(Path file) {
        return () -> Files.newInputStream(file);
    }

    /** Opens the source as a UTF-8 reader (malformed bytes become U+FFFD); gzip is detected by content, not name. */
    default BufferedReader openReader(String name) {
        InputStream in = null;
        try {
            in = new BufferedInputStream(openRaw(), 1 << 16);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        } catch (IOException e) {
            closeQuietly(in);
            throw new CorpusException("cannot open " + name + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException ignored) {
            // already failing; the original error is the one worth reporting
        }
    }

    /** Reads one line, turning I/O errors into {@link CorpusException}s that name the source. */
    static String readLine(BufferedReader reader, String name) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new CorpusException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** Closes a reader, rethrowing failures unchecked. */
    static void close(BufferedReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
