package io.bolmo4j.dsl;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.math.BigDecimal;
import java.math.MathContext;

/** How the DSL's tables show numbers: the values keep full precision, their text shows 4 significant digits. */
final class Tables {
    /** Four significant digits, plain notation, no trailing zeros; missing values print as nothing. */
    static final class SignificantDigits extends NumberColumnFormatter {
        @Override
        public String format(double v) {
            if (!Double.isFinite(v)) {
                return Double.isNaN(v) ? "" : Double.toString(v);
            }
            return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
    }

    private Tables() {}

    /** The value in column {@code column} of the row whose {@code key} column holds {@code name}. */
    static double value(Table t, String key, String name, String column) {
        int row = t.stringColumn(key).indexOf(name);
        if (row < 0) {
            throw new IllegalArgumentException("no row with " + key + " = '" + name + "' in " + t.name());
        }
        return t.doubleColumn(column).get(row);
    }

    /** Gives every double column of {@code t} the 4-significant-digit format; returns {@code t}. */
    static Table rounded(Table t) {
        for (Column<?> c : t.columns()) {
            if (c instanceof DoubleColumn d) {
                d.setPrintFormatter(new SignificantDigits());
            }
        }
        return t;
    }
}
