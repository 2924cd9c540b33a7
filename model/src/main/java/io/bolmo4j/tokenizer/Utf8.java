package io.bolmo4j.tokenizer;

/**
 * UTF-8 encoding of char ranges without allocating Strings. An unpaired surrogate encodes as {@code '?'}, exactly
 * as {@code String.getBytes(UTF_8)} does, so byte offsets always index into that array.
 */
final class Utf8 {
    private Utf8() {
    }

    /** @return the UTF-8 length of {@code s[from, to)} */
    static int length(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Encodes {@code s[from, to)} into {@code out} (which must hold {@link #length} bytes).
     *
     * @return the number of bytes written
     */
    static int encode(CharSequence s, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            int c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else {
                if (Character.isSurrogate((char) c)) {
                    if (Character.isHighSurrogate((char) c) && i + 1 < to
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint((char) c, s.charAt(++i));
                        out[n++] = (byte) (0xF0 | (cp >> 18));
                        out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        out[n++] = (byte) (0x80 | (cp & 0x3F));
                        continue;
                    }
                    out[n++] = '?';
                    continue;
                }
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }
}
