package io.bolmo4j.kernel.widget;

import java.util.List;

/** Widgets laid out in a column ({@link #vertical}) or a row ({@link #horizontal}). */
public final class Box extends Widget {
    private final List<Widget> children;

    private Box(String model, String view, List<Widget> children) {
        super(model, view, WidgetProtocol.Module.CONTROLS);
        this.children = List.copyOf(children);
        set("children", this.children.stream().map(w -> "IPY_MODEL_" + w.id()).toList());
        set("box_style", "");
    }

    /** The widgets one under the other. */
    public static Box vertical(Widget... children) {
        return new Box("VBoxModel", "VBoxView", List.of(children));
    }

    /** The widgets side by side. */
    public static Box horizontal(Widget... children) {
        return new Box("HBoxModel", "HBoxView", List.of(children));
    }

    @Override
    protected List<Widget> children() {
        return children;
    }

    @Override
    public void close() {
        super.close();
        children.forEach(Widget::close);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        children.forEach(c -> sb.append(sb.length() == 0 ? "" : "\n").append(c));
        return sb.toString();
    }
}
