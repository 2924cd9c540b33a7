package io.bolmo4j.olmo;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small cl100k vocabulary (its first ranks) with a family's special tokens and {@code tokenizer_config.json}, for the
 * built-in teachers that {@code bolmo4j pretrain} trains: OLMo's {@code <|endoftext|>} and {@code <|pad|>}; Qwen's
 * {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>} with a ChatML template, no BOS token and
 * {@code <|im_end|>} as {@code eos_token} (as Qwen 3 ships them); Llama 3's {@code <|begin_of_text|>},
 * {@code <|end_of_text|>} and header / end-of-turn tokens.
 *
 * @param vocab           the vocabulary
 * @param tokenizerConfig the {@code tokenizer_config.json} beside it, or null (OLMo: none, as tiny-olmo)
 */
public record FamilyVocabulary(Cl100kVocab vocab, JsonObject tokenizerConfig) {
    /** ChatML, Qwen's turn format: each message between {@code <|im_start|>role} and {@code <|im_end|>}. */
    static final String CHATML = "{%- for message in messages %}"
            + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    /** The first {@code ranks} cl100k ranks with {@code family}'s special tokens. */
    public static FamilyVocabulary of(OlmoConfig.Family family, int ranks) {
        return switch (family) {
            case OLMO2, OLMO3 -> new FamilyVocabulary(Cl100kVocab.firstRanks(ranks), null);
            case QWEN2, QWEN3 -> new FamilyVocabulary(Cl100kVocab.firstRanks(ranks,
                    List.of(BpeTokenizer.END_OF_TEXT, "<|im_start|>", "<|im_end|>")), config(null, "<|im_end|>", BpeTokenizer.END_OF_TEXT, CHATML));
            case LLAMA -> new FamilyVocabulary(Cl100kVocab.firstRanks(ranks, List.of("<|begin_of_text|>", "<|end_of_text|>",
                    "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>")), config("<|begin_of_text|>", "<|end_of_text|>", null, null));
        };
    }

    private static JsonObject config(String bos, String eos, String pad, String template) {
        JsonObject c = new JsonObject();
        c.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        c.add("bos_token", bos == null ? JsonNull.INSTANCE : new JsonPrimitive(bos));
        c.addProperty("eos_token", eos);
        if (pad != null) {
            c.addProperty("pad_token", pad);
        }
        if (template != null) {
            c.addProperty("chat_template", template);
        }
        return c;
    }

    /** The files of a checkpoint directory: {@code tokenizer.json}, and {@code tokenizer_config.json} when there is one. */
    public Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("tokenizer.json", vocab.toJson().getBytes(StandardCharsets.UTF_8));
        if (tokenizerConfig != null) {
            files.put(ChatTemplate.TOKENIZER_CONFIG, (new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create()
                    .toJson(tokenizerConfig) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }
}
