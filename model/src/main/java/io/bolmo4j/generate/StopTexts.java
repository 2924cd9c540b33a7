package io.bolmo4j.generate;

import java.util.List;

/**
 * Ends a byte-level generation at a stop string (a chat template's end-of-turn marker, e.g. {@code <|im_end|>}, which a
 * byte model writes out byte by byte): streamed text that could still be the start of a stop string is held back, and
 * a completed stop string is cut off.
 */
public final class StopTexts {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    public StopTexts(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds generated text; returns what can be shown now (never part of a stop string). */
    public String accept(String piece) {
        if (stopped) {
            return "";
        }
        held.append(piece);
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0) {
                stopped = true;
                String out = held.substring(0, at);
                held.setLength(0);
                return out;
            }
        }
        int keep = 0; // the longest tail of held that starts some stop string
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, held.length()); n > keep; n--) {
                if (s.startsWith(held.substring(held.length() - n))) {
                    keep = n;
                    break;
                }
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Whether a stop string has been completed. */
    public boolean stopped() {
        return stopped;
    }

    /** The held-back text, when the generation ended for another reason. */
    public String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
