package io.bolmo4j.export;

import java.nio.file.Path;
import java.util.List;

/**
 * A run directory written by {@link BolmoCoreExport}.
 *
 * @param dir      the run directory
 * @param stage    1 or 2
 * @param data     what the pre-tokenized data holds
 * @param recipe   the bolmo-core settings
 * @param blockers why bolmo-core cannot run this teacher unmodified (empty: it can); also in the run's README
 */
public record ExportedRun(Path dir, int stage, PretokenizedData.Manifest data, BolmoCoreRecipe recipe, List<String> blockers) {}
