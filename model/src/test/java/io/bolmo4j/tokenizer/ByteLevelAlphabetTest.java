package io.bolmo4j.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteLevelAlphabetTest {

    @Test
    void spellsTheGpt2Examples() {
        assertEquals('Ġ', ByteLevelAlphabet.charOf(' '));
        assertEquals('Ċ', ByteLevelAlphabet.charOf('\n'));
        assertEquals('ĉ', ByteLevelAlphabet.charOf('\t'));
        assertEquals('A', ByteLevelAlphabet.charOf('A'));
        assertEquals('\u0100', ByteLevelAlphabet.charOf(0));
        assertEquals('\u0143', ByteLevelAlphabet.charOf(173)); // the last of the 68 remapped bytes
    }

    @Test
    void isABijectionOntoPrintableChars() {
        Set<Character> seen = new HashSet<>();
        int remapped = 0;
        for (int b = 0; b < 256; b++) {
            char c = ByteLevelAlphabet.charOf(b);
            assertEquals(b, ByteLevelAlphabet.byteOf(c));
            assertFalse(Character.isWhitespace(c) || Character.isISOControl(c), "byte " + b);
            seen.add(c);
            remapped += c == b ? 0 : 1;
        }
        assertEquals(256, seen.size());
        assertEquals(68, remapped);
        assertEquals(-1, ByteLevelAlphabet.byteOf(' '));
    }

    @Test
    void roundTripsBytes() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) i;
        }
        assertArrayEquals(bytes, ByteLevelAlphabet.toBytes(ByteLevelAlphabet.toUnicode(bytes)));
        assertThrows(TokenizerException.class, () -> ByteLevelAlphabet.toBytes("a b"));
    }
}
