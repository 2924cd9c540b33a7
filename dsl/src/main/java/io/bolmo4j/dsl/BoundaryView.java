package io.bolmo4j.dsl;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A text cut two ways: into the patches a Bolmo's boundary predictor chose and into the teacher's subword tokens.
 * In a notebook it renders as HTML (alternating colours per patch, a red bar where the two disagree); as text, patches
 * are separated by {@code |}.
 */
public final class BoundaryView {
    /** The boundary predictor's own threshold: a byte ends its patch when its boundary probability exceeds it. */
    public static final double MODEL_THRESHOLD = 0.5;
    private final byte[] bytes;
    private final boolean[] predicted;
    private final boolean[] subword;
    private final float[] logProb;
    private final double threshold;

    /**
     * {@code predicted[i]} / {@code subword[i]}: byte i ends a patch / a token; {@code logProb[i]}: the predictor's log
     * probability that it ends a patch, from which {@link #threshold(double)} cuts again.
     */
    BoundaryView(byte[] bytes, boolean[] predicted, boolean[] subword, float[] logProb, double threshold) {
        if (predicted.length != bytes.length || subword.length != bytes.length || logProb.length != bytes.length) {
            throw new IllegalArgumentException("boundaries must cover the " + bytes.length + " bytes");
        }
        this.bytes = bytes.clone();
        this.predicted = predicted.clone();
        this.subword = subword.clone();
        this.logProb = logProb.clone();
        this.threshold = threshold;
    }

    /**
     * The same text cut where the boundary probability exceeds {@code threshold} instead of the predictor's 0.5 (the
     * patches a Bolmo would form with that threshold; the probabilities do not depend on it).
     */
    public BoundaryView threshold(double threshold) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be between 0 and 1 (exclusive), got " + threshold);
        }
        float cut = (float) Math.log(threshold); // the predictor's own comparison, in float (BoundaryPredictor)
        boolean[] at = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            at[i] = logProb[i] > cut;
        }
        return new BoundaryView(bytes, at, subword, logProb, threshold);
    }

    /** Share of bytes on which predictor and tokenizer agree (ends a patch or not). */
    public double accuracy() {
        int agree = 0;
        for (int i = 0; i < bytes.length; i++) {
            agree += predicted[i] == subword[i] ? 1 : 0;
        }
        return bytes.length == 0 ? Double.NaN : (double) agree / bytes.length;
    }

    /** Bytes per predicted patch. */
    public double bytesPerPatch() {
        return (double) bytes.length / Math.max(1, count(predicted));
    }

    /** Bytes per subword token. */
    public double bytesPerToken() {
        return (double) bytes.length / Math.max(1, count(subword));
    }

    /** Two rows: the predicted patches and the subword tokens. */
    public String html() {
        StringBuilder sb = new StringBuilder("<div style=\"font-family:monospace;white-space:pre-wrap;line-height:1.8\">");
        row(sb, "Bolmo patches", predicted, subword);
        row(sb, "subword tokens", subword, null);
        sb.append(String.format(Locale.ROOT, "<div style=\"font-family:sans-serif;font-size:small\">agreement %.1f %%,"
                + " %.2f bytes per patch vs %.2f per token%s; red bars mark disagreements</div></div>",
                100 * accuracy(), bytesPerPatch(), bytesPerToken(), thresholdNote()));
        return sb.toString();
    }

    private void row(StringBuilder sb, String title, boolean[] ends, boolean[] other) {
        sb.append("<div><b style=\"font-family:sans-serif\">").append(title).append(":</b> ");
        int start = 0, patch = 0;
        for (int i = 0; i < bytes.length; i++) {
            boolean end = ends[i] || i == bytes.length - 1;
            if (end) {
                String colour = patch++ % 2 == 0 ? "#dbeafe" : "#fde68a";
                sb.append("<span style=\"background:").append(colour).append("\">")
                        .append(escape(new String(bytes, start, i + 1 - start, StandardCharsets.UTF_8))).append("</span>");
                start = i + 1;
            }
            if (other != null && ends[i] != other[i] && i < bytes.length - 1) {
                sb.append("<span style=\"color:#dc2626;font-weight:bold\">|</span>");
            }
        }
        sb.append("</div>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "↵\n");
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }

    private String thresholdNote() {
        return threshold == MODEL_THRESHOLD ? "" : String.format(Locale.ROOT, " (boundary threshold %.2f)", threshold);
    }

    /** The text with {@code |} after every predicted patch, then the same for the subword tokens. */
    @Override
    public String toString() {
        return "patches: " + cut(predicted) + "\ntokens:  " + cut(subword)
                + String.format(Locale.ROOT, "\nagreement %.1f %%", 100 * accuracy()) + thresholdNote();
    }

    private String cut(boolean[] ends) {
        StringBuilder sb = new StringBuilder();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (ends[i] || i == bytes.length - 1) {
                sb.append(new String(bytes, start, i + 1 - start, StandardCharsets.UTF_8).replace("\n", "\\n"));
                if (i < bytes.length - 1) {
                    sb.append('|');
                }
                start = i + 1;
            }
        }
        return sb.toString();
    }
}
