package io.bolmo4j.kernel;

import io.bolmo4j.kernel.display.DisplayRenderer;

import java.util.List;
import java.util.Map;

/** A library's extension as the kernel sees one (registered in the test resources): an import and a renderer. */
public final class TestExtension implements KernelExtension {
    /** A library type the kernel does not know. */
    public record Greeting(String name) {}

    static volatile int starts;

    @Override
    public List<String> imports() {
        return List.of("import java.util.concurrent.atomic.*;", "import io.bolmo4j.kernel.TestExtension.Greeting;");
    }

    @Override
    public List<DisplayRenderer<?>> renderers() {
        return List.of(new DisplayRenderer<Greeting>() {
            @Override
            public Class<Greeting> type() {
                return Greeting.class;
            }

            @Override
            public Map<String, Object> render(Greeting g) {
                return Map.of("text/html", "<b>Hello, " + g.name() + "</b>");
            }
        });
    }

    @Override
    public void start() {
        starts++;
    }
}
