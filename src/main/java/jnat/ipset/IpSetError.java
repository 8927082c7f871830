package jnat.ipset;

/** An error as ipset reports it (libipset errcode.c's message for the kernel's IPSET_ERR_* or errno). */
public final class IpSetError extends RuntimeException {
    public IpSetError(String message) {
        super(message);
    }
}
