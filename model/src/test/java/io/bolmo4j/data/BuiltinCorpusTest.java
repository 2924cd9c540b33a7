package io.bolmo4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bolmo4j.data.BuiltinCorpus.Source;
import io.bolmo4j.data.BuiltinCorpus.Split;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

class BuiltinCorpusTest {
    private static final Map<Split, List<Document>> SPLITS = new EnumMap<>(Split.class);

    @BeforeAll
    static void load() {
        SPLITS.put(Split.TRAIN, BuiltinCorpus.train().toList());
        SPLITS.put(Split.VALIDATION, BuiltinCorpus.validation().toList());
        SPLITS.put(Split.TEST, BuiltinCorpus.test().toList());
    }

    @Test
    void documentCountsAndBytesMatchTheBuildManifest() {
        List<BuiltinCorpus.Entry> manifest = BuiltinCorpus.manifest();
        assertEquals(12, manifest.size());
        for (BuiltinCorpus.Entry e : manifest) {
            List<Document> docs = SPLITS.get(e.split()).stream().filter(d -> d.source().equals(e.source().id())).toList();
            assertEquals(e.documents(), docs.size(), e.toString());
            assertEquals(e.textBytes(), docs.stream().mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum(), e.toString());
        }
    }

    @Test
    void noDocumentIsInTwoSplits() {
        Map<String, Split> idToSplit = new HashMap<>();
        Set<String> texts = new HashSet<>();
        int total = 0;
        for (Map.Entry<Split, List<Document>> e : SPLITS.entrySet()) {
            for (Document d : e.getValue()) {
                Split previous = idToSplit.put(d.id(), e.getKey());
                assertTrue(previous == null, d.id() + " in " + previous + " and " + e.getKey());
                texts.add(d.text());
                total++;
            }
        }
        // Verbatim duplicate texts could only leak across splits if they existed at all.
        assertEquals(total, texts.size());
    }

    @Test
    void heldOutSplitsAreWholeDocumentsAsDocumented() {
        List<Document> test = SPLITS.get(Split.TEST);
        assertTrue(test.stream().anyMatch(d -> d.id().equals("sotu/2021_joseph_r_biden_d")));
        assertTrue(test.stream().anyMatch(d -> d.id().equals("moby/chapter-135")));
        assertTrue(test.stream().filter(d -> d.source().equals("kjv")).allMatch(d -> d.id().matches("kjv/(Est|Mark|Jas)/\\d+")));
        assertTrue(SPLITS.get(Split.VALIDATION).stream().filter(d -> d.source().equals("kjv"))
                .allMatch(d -> d.id().matches("kjv/(Ruth|Jonah|Phi)/\\d+")));
        assertTrue(SPLITS.get(Split.TRAIN).stream().noneMatch(d -> d.id().startsWith("kjv/Mark/")));
        // Bible references were stripped and Java license headers removed.
        assertTrue(SPLITS.get(Split.TRAIN).stream().filter(d -> d.source().equals("kjv")).noneMatch(d -> d.text().matches("(?s).*\\b\\w+\\d+:\\d+ .*")));
        assertTrue(SPLITS.get(Split.TRAIN).stream().filter(d -> d.source().equals("java")).noneMatch(d -> d.text().contains("GNU General Public License")));
    }

    @Test
    void codeIsAMinorityOfTheTrainingBytes() {
        Map<String, Long> bytes = new HashMap<>();
        SPLITS.get(Split.TRAIN).forEach(d -> bytes.merge(d.source(), (long) d.text().length(), Long::sum));
        double total = bytes.values().stream().mapToLong(Long::longValue).sum();
        double java = bytes.get("java") / total;
        assertTrue(java > 0.05 && java < 0.15, "java share " + java);
    }

    @Test
    void perSourceSelectionReturnsOnlyThatSource() {
        List<Document> moby = BuiltinCorpus.validation(Source.MOBY).toList();
        assertEquals(5, moby.size());
        assertFalse(moby.stream().anyMatch(d -> !d.source().equals("moby")));
    }

    @Test
    void systemPropertyOverridesTheLookupAndMayNameTheCorpusFolder() {
        Path datasets = Path.of("..", "datasets").toAbsolutePath().normalize();
        try {
            System.setProperty(DatasetsLocator.PROPERTY, datasets.resolve("corpus").toString());
            assertEquals(5, BuiltinCorpus.test(Source.MOBY).toList().size());
            System.setProperty(DatasetsLocator.PROPERTY, datasets.toString());
            assertEquals(5, BuiltinCorpus.test(Source.MOBY).toList().size());
            System.setProperty(DatasetsLocator.PROPERTY, datasets.resolve("nowhere").toString());
            Assertions.assertThrows(CorpusException.class, () -> BuiltinCorpus.test(Source.MOBY));
        } finally {
            System.clearProperty(DatasetsLocator.PROPERTY);
        }
    }
}
