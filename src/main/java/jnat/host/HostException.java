package jnat.host;

/** A change the host model refuses, with the message the kernel (or ip(8)) would give. */
public class HostException extends RuntimeException {
    public HostException(String message) {
        super(message);
    }
}
