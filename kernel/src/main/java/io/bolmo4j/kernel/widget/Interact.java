package io.bolmo4j.kernel.widget;

import io.bolmo4j.kernel.display.Display;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** ipywidgets' {@code interact} for Java: controls above an output that a function of their values fills. */
public final class Interact {
    private Interact() {}

    /**
     * Shows {@code controls} above an output area holding {@code render}'s value (rendered as a cell's value is),
     * computed again whenever a control changes or a button among them is clicked. {@code render} reads the
     * controls itself: {@code interact(() -> text.value().repeat(n.value()), text, n)}. An exception shows as one line
     * in the output area.
     *
     * @return the layout, to display (as a cell's value it shows itself)
     */
    public static Box interact(Supplier<?> render, Widget... controls) {
        Output out = new Output();
        List<Widget> all = new ArrayList<>(List.of(controls));
        all.add(out);
        Box box = Box.vertical(all.toArray(Widget[]::new));
        box.open(); // controls first: a re-run cell's controls take back their values before the first render
        Runnable update = () -> out.show(safely(render));
        for (Widget c : controls) {
            if (c instanceof ValueWidget<?, ?> v) {
                v.observe(x -> update.run());
            } else if (c instanceof Button b) {
                b.onClick(update);
            }
        }
        update.run();
        return box;
    }

    private static Object safely(Supplier<?> render) {
        try {
            return render.get();
        } catch (RuntimeException e) {
            return Display.text(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
