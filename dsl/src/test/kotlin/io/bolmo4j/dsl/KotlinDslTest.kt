package io.bolmo4j.dsl

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files

/** The README pipeline as a Kotlin user writes it: builder lambdas, `use` blocks, no checked exceptions. */
class KotlinDslTest {
    @Test
    fun `the README pipeline reads naturally in Kotlin`() {
        Olmo.tiny().use { olmo ->
            Bolmo.byteify(olmo)
                .stage1 { it.steps(2).set("batch", 2).set("bytesPerExample", 64) }
                .stage2 { it.steps(1).set("batch", 2).set("bytesPerExample", 64).set("targetBytesPerPatch", 6.0) }
                .use { bolmo ->
                    val stages = bolmo.history().stringColumn("stage").asList()
                    assertEquals(listOf("stage1", "stage1", "stage2"), stages)
                    val text = bolmo.generate("The whale") { it.maxNew(8).seed(1) }
                    assertTrue(text.length <= 8, text)
                    val bpb = bolmo.bitsPerByte("Call me Ishmael.")
                    assertTrue(bpb > 0.0 && bpb.isFinite(), "bits/byte $bpb")
                    val dir = Files.createTempDirectory("kotlin-bolmo")
                    bolmo.save(dir)
                    Bolmo.load(dir).use { back -> assertEquals(bpb, back.bitsPerByte("Call me Ishmael."), 1e-5) }
                }
        }
    }
}
