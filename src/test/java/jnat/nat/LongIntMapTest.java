package jnat.nat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LongIntMapTest {
    /** Any sequence of puts and removes leaves the map agreeing with java.util.HashMap. */
    @Property
    void agreesWithHashMapUnderPutsAndRemoves(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 60) Integer> keys,
                                              @ForAll @Size(max = 400) List<Boolean> removes) {
        LongIntMap m = new LongIntMap();
        Map<Long, Integer> ref = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            long k = keys.get(i) * 0x100000001L; // collide in the low bits
            if (i < removes.size() && removes.get(i)) {
                m.remove(k);
                ref.remove(k);
            } else {
                m.put(k, i);
                ref.put(k, i);
            }
        }
        assertEquals(ref.size(), m.size());
        for (int k = 0; k <= 60; k++) {
            long key = k * 0x100000001L;
            assertEquals(ref.getOrDefault(key, -1).intValue(), m.get(key, -1), "key " + k);
        }
    }
}
