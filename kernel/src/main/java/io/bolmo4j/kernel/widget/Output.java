package io.bolmo4j.kernel.widget;

import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.display.Renderers;

/**
 * An output area inside a widget layout: what {@link #capture} runs prints and displays there (the front end routes
 * the outputs of the request being handled into it while it holds that request's id), {@link #show} replaces its
 * content with one value.
 */
public final class Output extends Widget {
    private volatile String text = "";

    /** An empty output area. */
    public Output() {
        super("OutputModel", "OutputView", WidgetProtocol.Module.OUTPUT);
        set("msg_id", "");
        set("outputs", new Object[0]);
    }

    /** Runs {@code work} with its printing and displays going into this area. */
    public void capture(Runnable work) {
        open();
        Display.flush(); // what came before stays where it was
        set("msg_id", Comms.parentId());
        try {
            work.run();
        } finally {
            Display.flush();
            set("msg_id", "");
        }
    }

    /** Replaces the content with {@code value} (nothing for null), rendered as a cell's value would be. */
    public void show(Object value) {
        capture(() -> {
            Display.clearOutput(true);
            if (value != null) {
                Display.display(value);
            }
        });
        text = value == null ? "" : String.valueOf(Renderers.render(value).get("text/plain"));
    }

    /** Empties the area. */
    public void clear() {
        show(null);
    }

    /** The text of what {@link #show} showed last. */
    @Override
    public String toString() {
        return text;
    }
}
