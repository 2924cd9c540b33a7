package io.bolmo4j.bolmo.eval;

import io.bolmo4j.data.BuiltinCorpus;
import io.bolmo4j.data.Document;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundaryCeilingTest {
    @Test
    void wordEndsAreVisibleWithOneByteOfLookahead() {
        // token ends before every space and at the text end: the next byte always tells
        var r = BoundaryCeiling.estimate(List.of("the cat sat", "a dog ran far"), text -> {
            boolean[] ends = new boolean[text.length()];
            for (int t = 0; t < text.length(); t++) {
                ends[t] = t + 1 == text.length() || text.charAt(t + 1) == ' ';
            }
            return ends;
        });
        assertEquals(1.0, r.ceiling(), 0);
        assertEquals(0, r.wordInternal());
        assertEquals(10 + 12, r.positions());
        assertEquals(2 + 3, r.boundaries());
    }

    @Test
    void splitsThatDependOnTheRestOfTheWordCannotAllBeRight() {
        // "a|bc" and "ab|d": after "a" with "b" next, the two words disagree; every other key is decided
        var r = BoundaryCeiling.estimate(List.of("abc", "abd"), text -> text.equals("abc")
                ? new boolean[]{true, false, true} : new boolean[]{false, true, true});
        assertEquals(4, r.positions());
        assertEquals(2, r.boundaries());
        assertEquals(2, r.wordInternal());
        assertEquals(0.75, r.ceiling(), 1e-12);
    }

    @Test
    void aLargerVocabularyLeavesFewerSplitsInsideWordsAndAHigherCeiling() {
        List<String> texts = new ArrayList<>();
        int bytes = 0;
        for (Document d : BuiltinCorpus.test().toList()) {
            texts.add(d.text());
            if ((bytes += d.text().length()) > 200_000) {
                break;
            }
        }
        var small = BoundaryCeiling.estimate(BpeTokenizer.fromJson(Cl100kVocab.firstRanks(4096).toJson()), texts);
        var full = BoundaryCeiling.estimate(BpeTokenizer.fromJson(Cl100kVocab.full().toJson()), texts);
        assertTrue(small.wordInternalShare() > full.wordInternalShare(), small + " vs " + full);
        assertTrue(small.ceiling() < full.ceiling(), small + " vs " + full);
        assertTrue(full.ceiling() < 1.0 && small.ceiling() > 0.5, small + " vs " + full);
        System.out.println("4096 ranks: " + small + "\nfull cl100k: " + full);
    }
}
