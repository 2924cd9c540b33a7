package io.bolmo4j.bolmo.checkpoint;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.SpecialTokens;
import io.bolmo4j.hub.Hub;
import io.bolmo4j.hub.HubRepo;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.DocumentTokens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The subword tokenizer a Bolmo was byteified from, as its folder keeps it: the teacher's tokenizer files (the
 * vocabulary that defines the suffix embeddings, its special tokens, chat template and stop ids) and, when the teacher
 * came from the Hugging Face Hub, its repository id, which transformers resolves through
 * {@code tokenizer_config.original_identifier}.
 *
 * @param hubId the teacher's Hub repository ({@code ORG/NAME}), if known
 * @param files the teacher's tokenizer files by name ({@link #FILES} that exist; {@code tokenizer.json} always)
 */
public record TeacherTokenizer(Optional<String> hubId, Map<String, byte[]> files) {
    static final String TOKENIZER = "tokenizer.json";
    /** The files of a model folder that make up its tokenizer for transformers' AutoTokenizer and bolmo4j. */
    static final List<String> FILES = List.of(TOKENIZER, ChatTemplate.TOKENIZER_CONFIG, "special_tokens_map.json",
            ChatTemplate.JINJA_FILE, SpecialTokens.GENERATION_CONFIG);

    public TeacherTokenizer {
        if (!files.containsKey(TOKENIZER)) {
            throw new IllegalArgumentException("a teacher tokenizer needs its " + TOKENIZER);
        }
        files = Map.copyOf(files);
    }

    /** Only a vocabulary ({@code tokenizer.json} text), from nowhere in particular. */
    public static TeacherTokenizer ofJson(String tokenizerJson) {
        return new TeacherTokenizer(Optional.empty(), Map.of(TOKENIZER, tokenizerJson.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The tokenizer files of a model folder (a teacher OLMo, an instruct model, a tokenizer repository); its Hub id when
     * the folder is a snapshot in a hub cache.
     */
    public static TeacherTokenizer of(Path dir) {
        return new TeacherTokenizer(Hub.repoOf(dir).map(HubRepo::id), read(dir));
    }

    /**
     * The teacher tokenizer of a saved Bolmo: its {@code teacher/} folder (or, in folders saved before it existed, the
     * folder of {@code subwordTokenizerFile}), named by the config's {@code original_identifier} when that is a Hub id.
     */
    public static TeacherTokenizer ofBolmo(Path bolmoDir, Path subwordTokenizerFile) {
        Path saved = bolmoDir.resolve(SubwordTokenizerFile.TEACHER_FOLDER);
        Path dir = Files.isRegularFile(saved.resolve(TOKENIZER)) ? saved : subwordTokenizerFile.toAbsolutePath().getParent();
        boolean inBolmo = dir.normalize().equals(bolmoDir.toAbsolutePath().normalize());
        // beside the Bolmo's own files (an older bolmo4j folder) only the vocabulary is the teacher's
        Map<String, byte[]> files = inBolmo ? Map.of(TOKENIZER, bytes(subwordTokenizerFile)) : read(dir);
        String original = BolmoCheckpoint.config(bolmoDir).originalTokenizer();
        Optional<String> hubId = original != null && HubRepo.looksLike(original) ? Optional.of(original)
                : Hub.repoOf(dir).map(HubRepo::id);
        return new TeacherTokenizer(hubId, files);
    }

    /** The vocabulary, {@code tokenizer.json}. */
    public String tokenizerJson() {
        return new String(files.get(TOKENIZER), StandardCharsets.UTF_8);
    }

    /**
     * The teacher's vocabulary with its BOS, end-of-text and pad ids as its tokenizer_config.json names them, else by
     * the vocabulary's usual names.
     */
    public BpeTokenizer tokenizer() {
        BpeTokenizer vocabulary = BpeTokenizer.fromJson(tokenizerJson());
        return vocabulary.withDocumentTokens(SpecialTokens.ofTokenizerConfig(Path.of(SubwordTokenizerFile.TEACHER_FOLDER),
                tokenizerConfig(), vocabulary));
    }

    /**
     * The same files with tokenizer_config.json naming the BOS and pad tokens {@code tokenizer} uses (and its
     * end-of-text token where the teacher names no EOS), so that {@link #tokenizer()} gives them back after a reload:
     * the byte BOS stands for the teacher's BOS, which its config.json may name where its tokenizer_config does not.
     */
    public TeacherTokenizer withDocumentTokens(BpeTokenizer tokenizer) {
        JsonObject cfg = tokenizerConfig();
        DocumentTokens doc = tokenizer.documentTokens();
        doc.bos().ifPresent(id -> cfg.addProperty("bos_token", tokenizer.tokenString(id)));
        doc.pad().ifPresent(id -> cfg.addProperty("pad_token", tokenizer.tokenString(id)));
        if (!cfg.has("eos_token") || cfg.get("eos_token").isJsonNull()) {
            doc.endOfText().ifPresent(id -> cfg.addProperty("eos_token", tokenizer.tokenString(id)));
        }
        Map<String, byte[]> out = new LinkedHashMap<>(files);
        out.put(ChatTemplate.TOKENIZER_CONFIG, HfCheckpoint.pretty(cfg));
        return new TeacherTokenizer(hubId, out);
    }

    /** The teacher's tokenizer_config.json, parsed (empty when it has none). */
    JsonObject tokenizerConfig() {
        byte[] cfg = files.get(ChatTemplate.TOKENIZER_CONFIG);
        try {
            return cfg == null ? new JsonObject() : JsonParser.parseString(new String(cfg, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException("the teacher's " + ChatTemplate.TOKENIZER_CONFIG + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The same tokenizer with another's chat template, special tokens and stop ids (an instruct model's, after a merge). */
    public TeacherTokenizer withChatOf(TeacherTokenizer instruct) {
        Map<String, byte[]> merged = new LinkedHashMap<>(files);
        for (String f : FILES) {
            if (!f.equals(TOKENIZER)) {
                merged.remove(f);
                if (instruct.files.containsKey(f)) {
                    merged.put(f, instruct.files.get(f));
                }
            }
        }
        return new TeacherTokenizer(instruct.hubId.or(() -> hubId), merged);
    }

    private static Map<String, byte[]> read(Path dir) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : FILES) {
            if (Files.isRegularFile(dir.resolve(f))) {
                files.put(f, bytes(dir.resolve(f)));
            }
        }
        if (!files.containsKey(TOKENIZER)) {
            throw new CheckpointException(dir + " has no " + TOKENIZER + " (the teacher's tokenizer)");
        }
        return files;
    }

    private static byte[] bytes(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
