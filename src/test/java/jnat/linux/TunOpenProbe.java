package jnat.linux;

/** Opens (then closes) one TUN device and prints the outcome; for tests that run it without privileges. */
public final class TunOpenProbe {
    public static void main(String[] args) {
        try (TunDevice dev = TunDevice.open(args[0])) {
            System.out.println("opened " + dev.name());
        } catch (ErrnoException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
