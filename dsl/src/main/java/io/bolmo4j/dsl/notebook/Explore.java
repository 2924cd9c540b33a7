package io.bolmo4j.dsl.notebook;

import io.bolmo4j.dsl.Bolmo;
import io.bolmo4j.dsl.BoundaryView;
import io.bolmo4j.dsl.Olmo;
import io.bolmo4j.kernel.display.Display;
import io.bolmo4j.kernel.widget.Box;
import io.bolmo4j.kernel.widget.Button;
import io.bolmo4j.kernel.widget.FloatSlider;
import io.bolmo4j.kernel.widget.IntSlider;
import io.bolmo4j.kernel.widget.Interact;
import io.bolmo4j.kernel.widget.Text;

import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Interactive views of models in a notebook, built from the kernel's widgets: a boundary explorer (type a text, move
 * the boundary threshold, see the patches change) and sampling controls for generation. A cell that shows one again
 * keeps the values the user gave its controls.
 */
public final class Explore {
    private Explore() {}

    /**
     * A text box and a boundary-threshold slider above {@code bolmo}'s patches of the text next to its teacher's
     * tokens ({@link Bolmo#boundaries}, cut again at the threshold: one model pass per text, none per threshold).
     */
    public static Box boundaries(Bolmo bolmo, String text) {
        Text input = Text.multiline().value(text).description("text").continuousUpdate(false);
        FloatSlider threshold = new FloatSlider().min(0.05).max(0.95).step(0.05).value(BoundaryView.MODEL_THRESHOLD)
                .description("threshold");
        BoundaryView[] last = {null};
        String[] lastText = {null};
        return Interact.interact(() -> {
            if (!input.value().equals(lastText[0])) {
                last[0] = bolmo.boundaries(input.value());
                lastText[0] = input.value();
            }
            return last[0].threshold(threshold.value());
        }, input, threshold);
    }

    /** Sampling controls for {@code olmo}'s generation: prompt, length, temperature, top-k, top-p, seed. */
    public static Box generate(Olmo olmo) {
        return generate(olmo::generate, "tokens");
    }

    /** Sampling controls for {@code bolmo}'s generation (lengths in bytes). */
    public static Box generate(Bolmo bolmo) {
        return generate(bolmo::generate, "bytes");
    }

    private static Box generate(BiFunction<String, Consumer<Olmo.Generation>, String> model, String unit) {
        Text prompt = Text.multiline().value("The whale").description("prompt").continuousUpdate(false);
        IntSlider maxNew = new IntSlider().min(1).max(400).value(60).description("max " + unit);
        FloatSlider temperature = new FloatSlider().min(0).max(2).step(0.05).value(0.8).description("temperature");
        IntSlider topK = new IntSlider().min(0).max(200).value(0).description("top-k (0 off)");
        FloatSlider topP = new FloatSlider().min(0.05).max(1).step(0.05).value(1.0).description("top-p");
        IntSlider seed = new IntSlider().min(0).max(1000).value(0).description("seed");
        Button run = new Button("Generate").style("primary");
        Box generation = Interact.interact(() -> {
            String text = model.apply(prompt.value(), g -> g.maxNew(maxNew.value()).temperature(temperature.value())
                    .topK(topK.value()).topP(topP.value()).seed(seed.value()));
            return Display.html(String.format(Locale.ROOT, "<div style=\"white-space:pre-wrap\"><b>%s</b>%s</div>"
                    + "<div style=\"font-size:small;color:#666\">temperature %.2f, top-k %d, top-p %.2f, seed %d</div>",
                    escape(prompt.value()), escape(text), temperature.value(), topK.value(), topP.value(), seed.value()));
        }, run);
        return Box.vertical(prompt, maxNew, temperature, topK, topP, seed, generation);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
