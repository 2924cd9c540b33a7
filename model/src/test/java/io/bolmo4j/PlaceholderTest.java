package io.bolmo4j;
class PlaceholderTest { @org.junit.jupiter.api.Test void runs() { org.junit.jupiter.api.Assertions.assertEquals(2, 1 + 1); } }
