package jnat.wire;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireErrorTest {
    @Test
    void everyCodeHasItsOwnShortText() {
        Set<String> texts = new HashSet<>();
        for (int code = 0; code < WireError.COUNT; code++) {
            String t = WireError.text(code);
            assertTrue(!t.isEmpty() && t.length() <= 30 && !t.equals("unknown"), t);
            texts.add(t);
        }
        assertEquals(WireError.COUNT, texts.size());
    }

    @Test
    void aCodeThatIsNotOursIsUnknown() {
        assertEquals("unknown", WireError.text(-1));
        assertEquals("unknown", WireError.text(WireError.COUNT));
    }

    @Test
    void okIsZero() {
        assertEquals(0, WireError.OK);
        assertEquals("ok", WireError.text(WireError.OK));
    }
}
