package io.bolmo4j.chat;

import io.bolmo4j.generate.SamplingOptions;

import java.util.List;
import java.util.function.Consumer;

/** A model that answers conversations rendered by its chat template (an OLMo, or a Bolmo with its teacher's). */
public interface ChatModel extends AutoCloseable {
    /**
     * The assistant's answer to {@code messages}, streamed to {@code onText} as it is generated.
     *
     * @throws IllegalStateException when the model has no chat template
     */
    String chat(List<Message> messages, SamplingOptions options, Consumer<String> onText);

    @Override
    void close();
}
