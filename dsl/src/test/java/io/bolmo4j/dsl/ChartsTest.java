package io.bolmo4j.dsl;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each chart's traces and the Plotly JavaScript they render to. */
class ChartsTest {
    /** A {@link Bolmo#history()}-shaped table: two stages, a loss part Stage 2 does not log. */
    static Table history() {
        return Table.create("history", StringColumn.create("stage", "stage1", "stage1", "stage1", "stage2", "stage2"),
                IntColumn.create("step", 1, 2, 3, 4, 5), DoubleColumn.create("loss", 3.0, 2.5, 2.25, 2.0, 1.75),
                DoubleColumn.create("encoder", new double[] {1.0, 0.875, 0.75, Double.NaN, Double.NaN}));
    }

    @Test
    void historyHasALinePerStage() {
        Figure f = Charts.history(history(), "loss");
        assertEquals(2, f.getTraces().length);
        String js = f.asJavascript("d1");
        assertTrue(js.contains("title: 'loss'"), js);
        assertTrue(js.contains("'step'"));
        assertTrue(js.contains("name: 'stage1'") && js.contains("name: 'stage2'"));
        assertTrue(js.contains("2.25") && js.contains("1.75"));
    }

    @Test
    void historySkipsMissingValues() {
        Figure f = Charts.history(history(), "encoder");
        assertEquals(1, f.getTraces().length, "Stage 2 logs no encoder loss: no line");
        assertFalse(f.asJavascript("d1").contains("NaN"));
    }

    @Test
    void historyWithADashedReferenceAcrossTheSteps() {
        Figure f = Charts.history(history(), "loss", 1.5, "teacher");
        assertEquals(3, f.getTraces().length);
        String js = f.asJavascript("d1");
        assertTrue(js.contains("name: 'teacher'"));
        assertTrue(js.contains("dash"));
        assertTrue(js.contains("[\"1.0\",\"5.0\"]") && js.contains("[\"1.5\",\"1.5\"]"), js);
    }

    @Test
    void linesGroupedByAnIntColumn() {
        Table t = Table.create("t", IntColumn.create("layers", 1, 1, 2, 2, 3), DoubleColumn.create("x", 1, 2, 1, 2, 1),
                DoubleColumn.create("bits_per_byte", 1.5, 1.25, 1.4, 1.2, 1.3));
        Figure f = Charts.lines(t, "x", "bits_per_byte", "layers");
        assertEquals(3, f.getTraces().length);
        String js = f.asJavascript("d1");
        assertTrue(js.contains("name: '1'") && js.contains("name: '3'"));
        assertTrue(js.contains("bits_per_byte"));
        Table labelled = t.copy().addColumns(StringColumn.create("label", "a", "b", "c", "d", "e"));
        assertThrows(IllegalArgumentException.class, () -> Charts.lines(labelled, "x", "label", "layers"));
    }

    @Test
    void barsHaveATracePerValueColumn() {
        Table cute = Table.create("cute", StringColumn.create("task", "spelling", "insertion", "swap"),
                DoubleColumn.create("teacher", 0.25, 0.125, 0.5), DoubleColumn.create("bolmo", 0.75, 0.625, 0.875));
        Figure f = Charts.bars(cute, "task", "teacher", "bolmo");
        assertEquals(2, f.getTraces().length);
        String js = f.asJavascript("d1");
        assertTrue(js.contains("\"spelling\"") && js.contains("\"swap\""), js);
        assertTrue(js.contains("name: 'teacher'") && js.contains("name: 'bolmo'"));
        assertTrue(js.contains("0.875") && js.contains("type: 'bar'"));
    }

    @Test
    void scatterLabelsEachPoint() {
        Table runs = Table.create("runs", StringColumn.create("run", "compress-4", "compress-8"),
                DoubleColumn.create("bits_per_byte", 1.25, 1.5), DoubleColumn.create("bytes_per_patch", 4.5, 8.25));
        Figure f = Charts.scatter(runs, "bytes_per_patch", "bits_per_byte", "run");
        assertEquals(1, f.getTraces().length);
        String js = f.asJavascript("d1");
        assertTrue(js.contains("\"compress-4\"") && js.contains("\"compress-8\""), js);
        assertTrue(js.contains("markers") && js.contains("text"));
        assertTrue(js.contains("8.25") && js.contains("bytes_per_patch"));
    }
}
