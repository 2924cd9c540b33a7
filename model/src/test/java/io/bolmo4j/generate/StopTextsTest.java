package io.bolmo4j.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopTextsTest {
    /** Feeds one character at a time, as a byte model streams, and returns what was shown. */
    private static String stream(StopTexts stops, String text) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < text.length() && !stops.stopped(); i++) {
            shown.append(stops.accept(text.substring(i, i + 1)));
        }
        return shown.append(stops.stopped() ? "" : stops.flush()).toString();
    }

    @Test
    void aStopStringEndsTheTextAndItsStartIsHeldBackUntilDecided() {
        StopTexts s = new StopTexts(List.of("<|im_end|>", "<|endoftext|>"));
        assertEquals("Paris.", stream(s, "Paris.<|im_end|>\n<|im_start|>user"));
        assertTrue(s.stopped());

        StopTexts partial = new StopTexts(List.of("<|im_end|>"));
        assertEquals("a ", partial.accept("a <|im"), "a possible stop string is not shown yet");
        assertEquals("<|imx", partial.accept("x"), "released once it cannot be one");
        assertEquals("b <|im", stream(partial, "b <|im"), "shown at the end when generation stops for another reason");
        assertFalse(partial.stopped());
    }
}
