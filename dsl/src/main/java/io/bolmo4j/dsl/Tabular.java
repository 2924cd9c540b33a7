package io.bolmo4j.dsl;

import tech.tablesaw.api.Table;

/**
 * A typed result that is also a table: read its figures by name from the record, hand {@link #table()} to Tablesaw or
 * {@link Charts}; a notebook shows it as the table.
 */
public interface Tabular {
    /** The result as a table, one named column per figure. */
    Table table();
}
