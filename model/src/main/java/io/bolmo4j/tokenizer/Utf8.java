package io.bolmo4j.tokenizer;

/**
 * UTF-8 lengths of char ranges without allocating Strings. The tokenizer only ever sees well-formed
 * text ({@link #wellFormed}), so a surrogate here is always half of a pair.
 */
final class Utf8 {
    private Utf8() {
    }

    /**
     * @return {@code s} with every unpaired surrogate replaced by U+FFFD, the character Hugging Face's Rust code sees
     *         for ill-formed input (returns {@code s} itself when it is well-formed)
     */
    static String wellFormed(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    if (sb != null) {
                        sb.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder(s.length()).append(s, 0, i);
                }
                sb.append('\uFFFD');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** @return the UTF-8 length of code point {@code cp} */
    static int length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** @return the UTF-8 length of the well-formed {@code s[from, to)} */
    static int length(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
