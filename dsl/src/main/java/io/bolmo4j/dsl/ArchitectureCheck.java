package io.bolmo4j.dsl;

import io.bolmo4j.bolmo.eval.BolmoEval;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.List;

/**
 * The result of {@link Bolmo#compareArchitectures}: one row per architecture variant after the same short Stage 1.
 *
 * @param variants in the order they were given
 */
public record ArchitectureCheck(List<Variant> variants) implements Tabular {
    /**
     * One variant's figures.
     *
     * @param localParameters parameters outside the teacher's transformer layers
     * @param evaluation the held-out report (boundary accuracy, bits per byte with predicted and subword boundaries, ...)
     * @param encoderLoss the last step's encoder loss: how closely the encoder matches the teacher's layer-n states
     * @param trainBytesPerSecond mean Stage 1 speed
     */
    public record Variant(String name, long localParameters, BolmoEval.Result evaluation, double encoderLoss,
                          double trainBytesPerSecond) {}

    public ArchitectureCheck {
        variants = List.copyOf(variants);
    }

    /** The variant of that name. */
    public Variant variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no variant '" + name + "'; the variants are "
                        + variants.stream().map(Variant::name).toList()));
    }

    @Override
    public Table table() {
        StringColumn name = StringColumn.create("variant");
        IntColumn params = IntColumn.create("local_parameters");
        DoubleColumn acc = DoubleColumn.create("boundary_accuracy"), bpb = DoubleColumn.create("bits_per_byte"),
                oracle = DoubleColumn.create("bits_per_byte_subword_boundaries"),
                bpp = DoubleColumn.create("bytes_per_patch"), enc = DoubleColumn.create("encoder_loss"),
                speed = DoubleColumn.create("train_bytes_per_s");
        for (Variant v : variants) {
            name.append(v.name());
            params.append((int) v.localParameters());
            acc.append(v.evaluation().boundaryAccuracy());
            bpb.append(v.evaluation().bolmoBitsPerByte());
            oracle.append(v.evaluation().subwordBoundaryBitsPerByte());
            bpp.append(v.evaluation().bytesPerPatch());
            enc.append(v.encoderLoss());
            speed.append(v.trainBytesPerSecond());
        }
        return Tables.rounded(Table.create("architecture check", name, params, acc, bpb, oracle, bpp, enc, speed));
    }

    @Override
    public String toString() {
        return table().print();
    }
}
