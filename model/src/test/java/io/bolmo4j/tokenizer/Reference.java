package io.bolmo4j.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Assertions comparing a {@link BpeTokenizer} encoding with Hugging Face's and with its own byte offsets. */
final class Reference {
    private Reference() {
    }

    /** Offsets tile the UTF-8 encoding and each span holds exactly the token's bytes. */
    static void assertOffsetsConsistent(BpeTokenizer tok, String text, Encoding enc) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int pos = 0;
        for (int i = 0; i < enc.size(); i++) {
            assertEquals(pos, enc.byteStart()[i], "token " + i + " does not start where the previous ended");
            byte[] span = Arrays.copyOfRange(utf8, enc.byteStart()[i], enc.byteEnd()[i]);
            assertArrayEquals(tok.tokenBytes(enc.ids()[i]), span, "bytes of token " + i);
            pos = enc.byteEnd()[i];
        }
        assertEquals(utf8.length, pos, "tokens do not cover the text");
    }

    /**
     * Same ids as Hugging Face, and the same offsets: HF reports code-point spans, and a token holding part of a
     * character spans that whole character, so byte spans are widened to character boundaries before comparing.
     */
    static void assertAgreesWithHuggingFace(HuggingFaceTokenizer hf, String text, Encoding enc) {
        ai.djl.huggingface.tokenizers.Encoding ref = hf.encode(text, false, false);
        assertArrayEquals(ref.getIds(), Arrays.stream(enc.ids()).asLongStream().toArray(), () -> "ids of " + abbrev(text));
        int[] cpOfByte = codePointIndexOfByte(text);
        CharSpan[] spans = ref.getCharTokenSpans();
        for (int i = 0; i < enc.size(); i++) {
            int start = cpOfByte[enc.byteStart()[i]];
            int end = cpOfByte[enc.byteEnd()[i] - 1] + 1;
            int token = i;
            assertEquals(spans[i].getStart() + ".." + spans[i].getEnd(), start + ".." + end,
                    () -> "offsets of token " + token + " in " + abbrev(text));
        }
    }

    /** For each UTF-8 byte of {@code text}, the index of the code point it belongs to. */
    static int[] codePointIndexOfByte(String text) {
        int[] out = new int[text.getBytes(StandardCharsets.UTF_8).length];
        int b = 0;
        int cp = 0;
        for (int i = 0; i < text.length(); cp++) {
            int c = text.codePointAt(i);
            int len = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length;
            Arrays.fill(out, b, b + len, cp);
            b += len;
            i += Character.charCount(c);
        }
        return out;
    }

    static String abbrev(String text) {
        return "'" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'";
    }
}
