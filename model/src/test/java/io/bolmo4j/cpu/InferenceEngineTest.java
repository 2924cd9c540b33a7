package io.bolmo4j.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InferenceEngineTest {
    @AfterEach
    void reset() {
        InferenceEngine.configure(null);
    }

    @Test
    void autoIsTheJavaEngineOnTheCpuAndEitherCanBeChosen() {
        InferenceEngine.configure(null);
        assertEquals(InferenceEngine.JAVA, InferenceEngine.current(), "the tests run on the CPU with the Vector API");
        InferenceEngine.configure("DJL");
        assertEquals(InferenceEngine.DJL, InferenceEngine.current());
        InferenceEngine.configure(" java ");
        assertEquals(InferenceEngine.JAVA, InferenceEngine.current());
        InferenceEngine.configure("auto");
        assertEquals(InferenceEngine.JAVA, InferenceEngine.current());
    }

    @Test
    void anUnknownEngineIsRefusedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferenceEngine.configure("gpu"));
        assertTrue(e.getMessage().contains("unknown engine 'gpu': use auto, java or djl"), e.getMessage());
        assertEquals(InferenceEngine.JAVA, InferenceEngine.current(), "the setting is unchanged");
    }
}
