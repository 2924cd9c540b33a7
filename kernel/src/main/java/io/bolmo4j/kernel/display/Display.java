package io.bolmo4j.kernel.display;

import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Rich output from cells: {@code display(value)} shows a value now (and returns a handle to update it in place); {@code html(..)}, {@code markdown(..)} etc. make values that render as that MIME type.
 * Imported statically in every kernel session. Outside a kernel, displays print their text form to stdout.
 */
public final class Display {
    private static volatile DisplaySink sink;

    private Display() {}

    /** Installs where displays go (the kernel does this); null detaches. */
    public static void setSink(DisplaySink s) {
        sink = s;
    }

    /** Whether displays currently reach a notebook. */
    public static boolean attached() {
        return sink != null;
    }

    /** Shows a value now; the handle updates it in place later (a handle as a cell's value shows nothing). */
    public static Handle display(Object value) {
        Handle h = new Handle(UUID.randomUUID().toString());
        show(Renderers.render(value), h.id(), false);
        return h;
    }

    /** A progress bar for {@code total} units of work, updated in place; close it when the work ends. */
    public static ProgressBar progressBar(long total, String status) {
        return ProgressBar.open(total, status);
    }

    /** A shown display, updatable in place ({@code update_display_data}). */
    public record Handle(String id) {
        /** Replaces what this display shows. */
        public void update(Object value) {
            show(Renderers.render(value), id, true);
        }
    }

    static void show(Map<String, Object> bundle, String id, boolean update) {
        DisplaySink s = sink;
        if (s != null) {
            s.display(bundle, id, update);
        } else {
            System.out.println(bundle.get("text/plain"));
        }
    }

    /** Clears the cell's output when the next output arrives (so an animation does not flicker). */
    public static void clearOutput() {
        clearOutput(true);
    }

    /** Clears the cell's output, at once or ({@code wait}) when the next output arrives. */
    public static void clearOutput(boolean wait) {
        DisplaySink s = sink;
        if (s != null) {
            s.clear(wait);
        }
    }

    /** Sends what the cell printed so far to the front end now (before a widget starts capturing output). */
    public static void flush() {
        DisplaySink s = sink;
        if (s != null) {
            s.flush();
        }
    }

    /** HTML output. */
    public static Rich html(String html) {
        return new Rich(Map.of("text/html", html, "text/plain", "HTML (" + html.length() + " characters)"));
    }

    /** Markdown output. */
    public static Rich markdown(String markdown) {
        return new Rich(Map.of("text/markdown", markdown, "text/plain", markdown));
    }

    /** SVG output. */
    public static Rich svg(String svg) {
        return new Rich(Map.of("image/svg+xml", svg, "text/plain", "SVG image"));
    }

    /** PNG output from the bytes of a PNG file. */
    public static Rich png(byte[] png) {
        return new Rich(Map.of("image/png", Base64.getEncoder().encodeToString(png), "text/plain", "PNG image"));
    }

    /** JSON output (rendered as a collapsible tree by JupyterLab); {@code json} must be a JSON document. */
    public static Rich json(String json) {
        return new Rich(Map.of("application/json", new JsonText(json), "text/plain", json));
    }

    /** Plain text output. */
    public static Rich text(String text) {
        return new Rich(Map.of("text/plain", text));
    }

    /** JSON kept as text until the kernel serialises the bundle. */
    public record JsonText(String json) {}
}
