package jnat.nat;

import java.util.random.RandomGenerator;

/**
 * The engine's seeded random, what the kernel draws with get_random_u32 and get_random_u16 (a
 * port after a clash, --random-fully's port, statistic --mode random): SplitMix64 exactly as
 * {@link java.util.SplittableRandom} computes it, value for value for the same seed, so every
 * choice a seed made before stays the same. What it adds is {@link #peekInt}: the next draw,
 * read without taking it, so NAT can touch the hash slot of the port --random-fully will pick
 * before the rules get there ({@link NatCore#touchRandomSourceGuess}).
 */
public final class Prandom implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long seed;

    public Prandom(long seed) {
        this.seed = seed;
    }

    @Override
    public int nextInt() {
        return mix32(seed += GOLDEN_GAMMA);
    }

    @Override
    public long nextLong() {
        return mix64(seed += GOLDEN_GAMMA);
    }

    /** What {@link #nextInt()} will return next, not taken. */
    public int peekInt() {
        return mix32(seed + GOLDEN_GAMMA);
    }

    /** SplittableRandom.mix64: Stafford's variant 13. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** SplittableRandom.mix32: the high 32 bits of Stafford's variant 4. */
    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
