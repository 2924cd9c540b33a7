package io.bolmo4j.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class ParamsFusedTest {
    private static float[] row(float... v) {
        return v;
    }

    @Test
    void fusedRowsFollowTheNamedTensors() {
        try (Params p = Params.create(); NDScope s = new NDScope()) {
            p.put("a", row(1, 2, 3, 4), 2, 2);
            p.put("b", row(5, 6), 1, 2);
            NDArray f = p.fused("a", "b");
            assertArrayEquals(row(1, 2, 3, 4, 5, 6), f.toFloatArray());
            assertSame(f, p.fused("a", "b"), "built once");
            assertEquals(6, p.count(), "the fused tensor is no extra parameter");

            p.get("b").addi(Ops.scalar(f, 10)); // an optimizer's in-place update
            assertArrayEquals(row(1, 2, 3, 4, 15, 16), f.toFloatArray());

            NDArray a = p.get("a");
            p.put("a", row(-1, -2, -3, -4), 2, 2); // a reload or merge of the same shape
            assertSame(a, p.get("a"), "the name keeps its rows");
            assertArrayEquals(row(-1, -2, -3, -4, 15, 16), p.fused("a", "b").toFloatArray());
            assertArrayEquals(row(-1, -2, -3, -4), p.get("a").toFloatArray());
        }
    }

    @Test
    void anotherLayoutDissolvesTheGroup() {
        try (Params p = Params.create(); NDScope s = new NDScope()) {
            p.put("a", row(1, 2), 1, 2);
            p.put("b", row(3, 4), 1, 2);
            NDArray f = p.fused("a", "b");
            NDArray half = p.get("a").toType(DataType.FLOAT16, false);
            p.putCopy("a", half);
            assertEquals(DataType.FLOAT16, p.get("a").getDataType());
            assertArrayEquals(row(3, 4), p.get("b").toFloatArray(), "the other member keeps its values");
            p.putCopy("a", half.toType(DataType.FLOAT32, false).mul(Ops.scalar(half, 2)));
            NDArray again = p.fused("a", "b");
            assertNotSame(f, again);
            assertArrayEquals(row(2, 4, 3, 4), again.toFloatArray());
        }
    }
}
