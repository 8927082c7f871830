package jnat.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhCommandTest {
    @Test
    void passesItsArgumentsToJmhWhichListsTheWireBenchmarks() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Main.run("jmh", "-l", "WireBenchmark");
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("jnat.bench.WireBenchmark.natRewrite"), text);
        assertTrue(text.contains("jnat.bench.WireBenchmark.parseAndVerify"), text);
    }
}
