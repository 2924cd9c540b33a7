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
                new boolean[] {false, false, true, true, true}, new float[5], BoundaryView.MODEL_THRESHOLD);
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
        assertThrows(IllegalArgumentException.class, () -> new BoundaryView(TEXT, new boolean[2], new boolean[5], new float[5], 0.5));
    }

    @Test
    void anotherThresholdCutsWhereTheProbabilityExceedsIt() {
        float[] logProb = {(float) Math.log(0.1), (float) Math.log(0.45), (float) Math.log(0.9), (float) Math.log(0.6), (float) Math.log(0.3)};
        BoundaryView v = new BoundaryView(TEXT, new boolean[] {false, false, true, true, false}, new boolean[5], logProb, 0.5);
        assertEquals("patches: a<b| |c", v.toString().lines().findFirst().orElse(""));
        BoundaryView low = v.threshold(0.25);
        assertEquals("patches: a<|b| |c", low.toString().lines().findFirst().orElse(""), "0.45 and 0.6 exceed 0.25; 0.3 ends the text");
        assertEquals("patches: a<b| c", v.threshold(0.7).toString().lines().findFirst().orElse(""));
        assertEquals(v.toString(), v.threshold(BoundaryView.MODEL_THRESHOLD).toString(), "0.5 is the predictor's own cut");
        assertTrue(low.html().contains("(boundary threshold 0.25)"), low.html());
        assertThrows(IllegalArgumentException.class, () -> v.threshold(1.0));
    }
}
