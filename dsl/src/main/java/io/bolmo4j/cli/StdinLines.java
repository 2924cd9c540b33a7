package io.bolmo4j.cli;

import io.bolmo4j.data.TextFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Lines read from standard input as strict UTF-8, as the text options are: a line that is not UTF-8 is an error
 * naming the line and the byte in it, never a line with replacement characters.
 */
final class StdinLines {
    private final InputStream in;
    private int lines;

    StdinLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its line end ({@code \n} or {@code \r\n}); null at the end of the input. */
    String next() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    if (line.size() == 0) {
                        return null;
                    }
                    break;
                }
                line.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
        lines++;
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return TextFile.decode(Arrays.copyOf(bytes, n), "line " + lines + " of standard input");
    }
}
