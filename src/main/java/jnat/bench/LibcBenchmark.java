package jnat.bench;

import jnat.linux.Libc;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The cost of moving one packet between the kernel and a Java byte[] through FFM: read(2) and
 * write(2) straight on the heap array (critical downcall, what TunQueue does) against the usual
 * native buffer plus a copy. /dev/zero and /dev/null stand in for the TUN device so only the
 * downcall and the copy differ (no root needed).
 *
 * <pre>
 * ./jnat --help >/dev/null   # builds target/jnat.jar
 * java --enable-native-access=ALL-UNNAMED -cp target/jnat.jar org.openjdk.jmh.Main LibcBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LibcBenchmark {
    private static final int HEADROOM = 14;

    @Param({"64", "1500"})
    int size;

    int zero;
    int devNull;
    byte[] heap;
    Arena arena;
    MemorySegment bounce;

    @Setup(Level.Trial)
    public void open() {
        zero = Libc.open("/dev/zero", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        devNull = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (zero < 0 || devNull < 0) throw new IllegalStateException("open: errno " + Libc.errno());
        heap = new byte[HEADROOM + 65535];
        arena = Arena.ofConfined();
        bounce = arena.allocate(size);
    }

    @TearDown(Level.Trial)
    public void close() {
        Libc.close(zero);
        Libc.close(devNull);
        arena.close();
    }

    @Benchmark
    public long readIntoHeapCritical() {
        return Libc.read(zero, heap, HEADROOM, size);
    }

    @Benchmark
    public long readIntoNativeThenCopy() {
        long n = Libc.read(zero, bounce);
        MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, 0, heap, HEADROOM, (int) n);
        return n;
    }

    @Benchmark
    public long writeFromHeapCritical() {
        return Libc.write(devNull, heap, HEADROOM, size);
    }

    @Benchmark
    public long writeCopyThenFromNative() {
        MemorySegment.copy(heap, HEADROOM, bounce, ValueLayout.JAVA_BYTE, 0, size);
        return Libc.write(devNull, bounce);
    }
}
