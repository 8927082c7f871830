package jnat.nat;

/** Receives the readable trace of each packet's walk (--trace), one line at a time. */
@FunctionalInterface
public interface PacketTracer {
    void line(String text);
}
