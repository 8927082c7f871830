package jnat.linux;

import java.io.IOException;

/**
 * A system call failed. The message names the call, what it was applied to, strerror's text and
 * the errno name, e.g. "TUNSETIFF tun-wan: Device or resource busy (EBUSY)", followed by a hint
 * when the cause is a common one (not root, no /dev/net/tun, a name already taken).
 */
public final class ErrnoException extends IOException {
    private final String call;
    private final String subject;
    private final int errno;

    public ErrnoException(String call, String subject, int errno) {
        this(call, subject, errno, null);
    }

    public ErrnoException(String call, String subject, int errno, String hint) {
        super(call + (subject == null || subject.isEmpty() ? "" : " " + subject) + ": " + Errno.describe(errno)
                + (hint == null ? "" : "; " + hint));
        this.call = call;
        this.subject = subject;
        this.errno = errno;
    }

    /** The call that failed, as the kernel names it ("open", "TUNSETIFF", "SIOCSIFMTU"). */
    public String call() {
        return call;
    }

    /** The path or device name the call was about, or null. */
    public String subject() {
        return subject;
    }

    public int errno() {
        return errno;
    }
}
