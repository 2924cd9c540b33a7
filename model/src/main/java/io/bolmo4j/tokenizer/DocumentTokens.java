package io.bolmo4j.tokenizer;

import java.util.List;
import java.util.OptionalInt;

/**
 * The ids that frame a document in a subword vocabulary, whatever the family calls them: the BOS written before every
 * text (OLMo's {@code <|endoftext|>}, Llama 3's {@code <|begin_of_text|>}), the end-of-text id written after each
 * document ({@code <|endoftext|>}, {@code <|end_of_text|>}, {@code <eos>}) and the padding id. A byteified model maps
 * its byte BOS to these (docs/bolmo.md §2.1). {@link #of(BpeTokenizer)} finds them by their usual names; a model
 * directory's config.json, generation_config.json and tokenizer_config.json say which they are
 * ({@code io.bolmo4j.chat.SpecialTokens}).
 *
 * @param bos       the id a text starts with, if known
 * @param endOfText the id that ends a document, if known
 * @param pad       the padding id, if the vocabulary has one
 */
public record DocumentTokens(OptionalInt bos, OptionalInt endOfText, OptionalInt pad) {
    /** End-of-text names, in the order they are looked for: GPT-2/cl100k/Qwen/SmolLM2, Llama 3, Gemma, Llama 2/Mistral. */
    public static final List<String> END_OF_TEXT_NAMES = List.of("<|endoftext|>", "<|end_of_text|>", "<eos>", "</s>");
    /** Dedicated BOS names (Llama 3, Gemma, Llama 2/Mistral); vocabularies without one start texts with end-of-text. */
    public static final List<String> BOS_NAMES = List.of("<|begin_of_text|>", "<bos>", "<s>");
    /** Padding names (dolma2, Gemma). */
    public static final List<String> PAD_NAMES = List.of("<|pad|>", "<pad>");

    /** From the vocabulary alone: the first usual name of each role that it has; the BOS defaults to end-of-text. */
    public static DocumentTokens of(BpeTokenizer tokenizer) {
        OptionalInt eot = first(tokenizer, END_OF_TEXT_NAMES);
        OptionalInt bos = first(tokenizer, BOS_NAMES);
        return new DocumentTokens(bos.isPresent() ? bos : eot, eot, first(tokenizer, PAD_NAMES));
    }

    /** Whether {@code token} is spelled as an end-of-text token ({@link #END_OF_TEXT_NAMES}). */
    public static boolean isEndOfTextName(String token) {
        return END_OF_TEXT_NAMES.contains(token);
    }

    private static OptionalInt first(BpeTokenizer tokenizer, List<String> names) {
        for (String n : names) {
            OptionalInt id = tokenizer.tokenId(n);
            if (id.isPresent()) {
                return id;
            }
        }
        return OptionalInt.empty();
    }
}
