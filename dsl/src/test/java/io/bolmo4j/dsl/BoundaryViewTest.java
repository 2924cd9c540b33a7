package io.bolmo4j.dsl;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundaryViewTest {
    private static final byte[] TEXT = "a<b c".getBytes(StandardCharsets.UTF_8);

    @Test
    void cutsTheTextBothWaysAndCountsAgreement() {
        // patches "a<b| c" against tokens "a<b| |c": they disagree only after the space
        BoundaryView v = new BoundaryView(TEXT, new boolean[] {false, false, true, false, true},
                new boolean[] {false, false, true, true, true});
        assertEquals(0.8, v.accuracy(), 1e-12);
        assertEquals(2.5, v.bytesPerPatch(), 1e-12);
        assertEquals(5 / 3.0, v.bytesPerToken(), 1e-12);
        assertEquals("patches: a<b| c\ntokens:  a<b| |c\nagreement 80.0 %", v.toString());
        String html = v.html();
        assertEquals(1, html.split("color:#dc2626", -1).length - 1, "one disagreement marked: " + html);
        assertTrue(html.contains("a&lt;b") && !html.contains("a<b"), "text is escaped: " + html);
    }

    @Test
    void boundariesMustCoverTheText() {
        assertThrows(IllegalArgumentException.class, () -> new BoundaryView(TEXT, new boolean[2], new boolean[5]));
    }
}
