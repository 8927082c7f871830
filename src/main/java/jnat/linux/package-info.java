/**
 * The live side of jnat: TUN devices through the FFM API (no JNI, no native code of our own) and
 * the loop that moves packets between them and the engine.
 *
 * <ul>
 *   <li>{@link jnat.linux.Libc}: downcalls (open, close, ioctl, read, write, poll, socket, setns,
 *       eventfd) with errno captured per thread; {@link jnat.linux.ErrnoException} names the call,
 *       the device and strerror's text ("TUNSETIFF tun-wan: Device or resource busy (EBUSY)").</li>
 *   <li>{@link jnat.linux.TunDevice} / {@link jnat.linux.TunQueue}: IFF_TUN | IFF_NO_PI, optionally
 *       IFF_MULTI_QUEUE; one IP packet per read and per write, straight into and out of a Java
 *       {@code byte[]} (critical downcalls on non-blocking descriptors).</li>
 *   <li>{@link jnat.linux.NetNamespace}: create a device directly in a named namespace (setns on a
 *       throwaway thread).</li>
 *   <li>{@link jnat.linux.ForwardingLoop} with a {@link jnat.linux.PacketHandler}: platform threads
 *       that poll(2) their queues and a wake-up eventfd, then read each ready queue until EAGAIN.</li>
 * </ul>
 *
 * <p>Why poll and non-blocking reads rather than a blocking read per thread: a thread blocked in
 * read(2) on a TUN device cannot be woken from Java (closing the descriptor does not end the read),
 * so a clean stop on SIGTERM needs a second descriptor to wait on; and a critical downcall, which
 * lets the kernel copy into the heap array, must never block. Reading until EAGAIN amortises the
 * poll over a burst. Why one thread by default: on the measured 2-core machine a thread per
 * queue showed no steady gain, and one thread lets the NAT engine run without locks.
 */
package jnat.linux;
