package io.bolmo4j.chat;

import io.bolmo4j.generate.SamplingOptions;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A model that answers conversations rendered by its chat template (an OLMo, or a Bolmo with its teacher's). */
public interface ChatModel extends AutoCloseable {
    /** The model's chat template (a Bolmo's is its teacher's), if it has one. */
    Optional<ChatTemplate> chatTemplate();

    /** Continues a prompt that a chat template rendered, stopping at the model's end-of-turn ids or strings. */
    String generateRendered(String rendered, SamplingOptions options, Consumer<String> onText);

    /**
     * The assistant's answer to {@code messages}, rendered by the chat template with the generation prompt and streamed
     * to {@code onText} as it is generated.
     *
     * @throws IllegalStateException when the model has no chat template
     */
    default String chat(List<Message> messages, SamplingOptions options, Consumer<String> onText) {
        ChatTemplate template = chatTemplate().orElseThrow(() -> new IllegalStateException("this model has no chat template ("
                + ChatTemplate.JINJA_FILE + " or chat_template in " + ChatTemplate.TOKENIZER_CONFIG
                + "; a Bolmo looks in its directory and beside its subword tokenizer)"));
        return generateRendered(template.render(messages, true), options, onText);
    }

    @Override
    void close();
}
