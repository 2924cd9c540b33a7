package io.bolmo4j.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's {@code bytes_to_unicode} alphabet: byte-level BPE vocabularies spell every byte as one printable char.
 * Bytes 33..126, 161..172 and 174..255 map to the same code point; the other 68 bytes map, in ascending order,
 * to U+0100, U+0101, ... (so space is {@code Ġ} U+0120 and newline is {@code Ċ} U+010A).
 */
public final class ByteLevelAlphabet {
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by char; -1 where the char is not in the alphabet. All alphabet chars are below U+0144. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** @return the alphabet char spelling byte {@code b} (only the low 8 bits are used) */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** @return the byte spelled by {@code c}, or -1 if {@code c} is not in the alphabet */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** @return the alphabet spelling of {@code bytes} */
    public static String toUnicode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * @return the bytes spelled by {@code spelling}
     * @throws TokenizerException if a char is outside the alphabet
     */
    public static byte[] toBytes(String spelling) {
        byte[] out = new byte[spelling.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(spelling.charAt(i));
            if (b < 0) {
                throw new TokenizerException("'" + spelling + "' is not spelled in the byte-level alphabet (char U+"
                        + String.format("%04X", (int) spelling.charAt(i)) + " at " + i + ")");
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
