package io.bolmo4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a whole text a user hands in (to score, tokenize, ...) strictly as UTF-8: a missing file, a folder or bytes
 * that are not UTF-8 are errors that say so, with the byte offset of the first bad byte. The command line decodes its
 * text options and standard input with the same rule.
 */
public final class TextFile {
    private TextFile() {}

    /** The file's text; an {@link IllegalArgumentException} naming the file and the problem otherwise. */
    public static String read(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder, not a text file");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(file + " is " + Files.size(file) + " bytes, more than one text can hold (2 GB)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * {@code bytes} as strict UTF-8; an {@link IllegalArgumentException} naming {@code what} (a file, an option) and
     * the offset of the first bad byte otherwise.
     */
    public static String decode(byte[] bytes, String what) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = utf8.decode(in, out, true);
        if (!r.isError()) {
            r = utf8.flush(out);
        }
        if (r.isError()) {
            int at = Math.min(in.position(), bytes.length - 1);
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s is not valid UTF-8: the character at byte %d"
                    + " (0x%02X) is malformed", what, at, bytes[at] & 0xFF));
        }
        return out.flip().toString();
    }
}
