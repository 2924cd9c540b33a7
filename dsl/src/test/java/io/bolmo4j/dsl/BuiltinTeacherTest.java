package io.bolmo4j.dsl;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped teacher is a real language model: low held-out bits/byte and English-looking output. */
class BuiltinTeacherTest {
    @Test
    void tinyOlmoIsAGenuineLanguageModel() {
        try (Olmo olmo = Olmo.tiny()) {
            Document d = BuiltinCorpus.test(BuiltinCorpus.Source.SOTU).toList().get(0);
            double bpb = olmo.bitsPerByte(d.text().substring(0, 3000));
            assertTrue(bpb < 2.1, "held-out bits/byte " + bpb);
            String text = olmo.generate("The people of the United States", g -> g.maxNew(30));
            long words = Arrays.stream(text.split("\\s+")).filter(w -> w.matches("[A-Za-z,.;']+")).count();
            assertTrue(words >= 10, "mostly words: " + text);
        }
    }

    @Test
    void tinyOlmoInstructAnswersHeldOutInstructionsTheBaseCannot() {
        try (Olmo base = Olmo.tiny(); Olmo instruct = Olmo.tinyInstruct()) {
            double b = base.instructionAccuracy(10).overall(), i = instruct.instructionAccuracy(10).overall();
            assertTrue(b == 0.0, "the base model never saw the chat template: " + b);
            assertTrue(i >= 0.1, "instruct exact match " + i);
        }
    }

    @Test
    void tinyOlmoInstructKeepsItsGainWithTheBaseEmbeddingsSoMergesCanWork() {
        try (Olmo base = Olmo.tiny(); Olmo instruct = Olmo.tinyInstruct()) {
            float[] before = instruct.model().params().get("model.embed_tokens.weight").toFloatArray();
            Tasks.Resettability r = Tasks.embeddingResettability(instruct, base, 5);
            assertEquals(List.of("base", "instruct", "instruct, base embeddings"), r.table().stringColumn("model").asList());
            assertTrue(r.retainedGain() > 0.5 && r.mergeExpectedToWork(), r.toString());
            assertArrayEquals(before, instruct.model().params().get("model.embed_tokens.weight").toFloatArray(),
                    "the reset works on a copy");
        }
    }
}
