package io.bolmo4j.cli;

import io.bolmo4j.cpu.InferenceEngine;
import picocli.CommandLine.Option;

/** {@code --engine auto|java|djl}: which engine runs a command's inference (training always runs on DJL). */
final class EngineOption {
    @Option(names = "--engine", paramLabel = "ENGINE", description = "inference engine: auto (default: the Java engine"
            + " on the CPU, DJL on a GPU), java or djl; also BOLMO4J_ENGINE")
    String engine;

    /** Makes the choice the process's inference engine. */
    void apply() {
        InferenceEngine.configure(engine);
    }
}
