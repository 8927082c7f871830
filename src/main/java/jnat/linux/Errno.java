package jnat.linux;

/**
 * Linux errno values (x86-64/arm64 generic numbering) with their symbolic names and the texts
 * glibc's strerror gives them, so an error reads "Device or resource busy (EBUSY)".
 * Only the codes the TUN and socket calls here can return are named; others print as "errno N".
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int EBADFD = 77;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;

    // index = errno; null where unnamed
    private static final String[] NAMES = new String[106];
    private static final String[] TEXTS = new String[106];

    private static void def(int errno, String name, String text) {
        NAMES[errno] = name;
        TEXTS[errno] = text;
    }

    static {
        def(EPERM, "EPERM", "Operation not permitted");
        def(ENOENT, "ENOENT", "No such file or directory");
        def(EINTR, "EINTR", "Interrupted system call");
        def(EIO, "EIO", "Input/output error");
        def(ENXIO, "ENXIO", "No such device or address");
        def(EBADF, "EBADF", "Bad file descriptor");
        def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        def(ENOMEM, "ENOMEM", "Cannot allocate memory");
        def(EACCES, "EACCES", "Permission denied");
        def(EFAULT, "EFAULT", "Bad address");
        def(EBUSY, "EBUSY", "Device or resource busy");
        def(EEXIST, "EEXIST", "File exists");
        def(ENODEV, "ENODEV", "No such device");
        def(EINVAL, "EINVAL", "Invalid argument");
        def(ENFILE, "ENFILE", "Too many open files in system");
        def(EMFILE, "EMFILE", "Too many open files");
        def(ENOTTY, "ENOTTY", "Inappropriate ioctl for device");
        def(ENOSPC, "ENOSPC", "No space left on device");
        def(ERANGE, "ERANGE", "Numerical result out of range");
        def(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        def(ENOSYS, "ENOSYS", "Function not implemented");
        def(EBADFD, "EBADFD", "File descriptor in bad state");
        def(EMSGSIZE, "EMSGSIZE", "Message too long");
        def(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        def(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
        def(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
        def(ENETDOWN, "ENETDOWN", "Network is down");
        def(ENOBUFS, "ENOBUFS", "No buffer space available");
    }

    /** The symbolic name ("EBUSY"), or null for a code not named here. */
    public static String name(int errno) {
        return errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
    }

    /** strerror's text ("Device or resource busy"), or "Unknown error N" as glibc prints it. */
    public static String text(int errno) {
        String t = errno > 0 && errno < TEXTS.length ? TEXTS[errno] : null;
        return t != null ? t : "Unknown error " + errno;
    }

    /** "Device or resource busy (EBUSY)"; "errno N" in the brackets for an unnamed code. */
    public static String describe(int errno) {
        String n = name(errno);
        return text(errno) + " (" + (n != null ? n : "errno " + errno) + ")";
    }
}
