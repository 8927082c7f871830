package jnat.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class PrandomTest {

    /** Every draw the engine makes (ints, bounded ints of both kinds, longs, doubles) equals SplittableRandom's for the seed. */
    @Property
    void drawsTheSequenceSplittableRandomDrawsForTheSameSeed(@ForAll long seed, @ForAll @IntRange(min = 1) int bound) {
        Prandom ours = new Prandom(seed);
        SplittableRandom theirs = new SplittableRandom(seed);
        for (int k = 0; k < 50; k++) {
            switch (k % 6) {
                case 0 -> assertEquals(theirs.nextInt(), ours.nextInt());
                case 1 -> assertEquals(theirs.nextInt(65536), ours.nextInt(65536));
                case 2 -> assertEquals(theirs.nextInt(bound), ours.nextInt(bound));
                case 3 -> assertEquals(theirs.nextLong(), ours.nextLong());
                case 4 -> assertEquals(theirs.nextDouble(), ours.nextDouble());
                default -> assertEquals(theirs.nextBoolean(), ours.nextBoolean());
            }
        }
    }

    /** peekInt is the next nextInt, and reading it takes nothing; its low 16 bits are the next nextInt(65536), a port offset. */
    @Property
    void peekIntIsTheNextDrawAndTakesNothing(@ForAll long seed) {
        Prandom p = new Prandom(seed), q = new Prandom(seed);
        SplittableRandom theirs = new SplittableRandom(seed);
        for (int k = 0; k < 20; k++) {
            int peeked = p.peekInt();
            assertEquals(peeked, p.peekInt());
            assertEquals(peeked & 0xffff, q.nextInt(65536));
            assertEquals(theirs.nextInt(), p.nextInt());
        }
    }
}
