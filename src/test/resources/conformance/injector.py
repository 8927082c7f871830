"""The kernel side of the conformance harness: injects frames on the far ends of the veths of a
host namespace and reports what the host transmits on them. Runs in the namespace holding the far
ends, one process for a whole run. Plain AF_PACKET sockets, no scapy.

Protocol, one line each way:
  open IF...            bind a capture/inject socket per far-end interface      -> ok
  send IF HEX N         transmit frame HEX on IF, then collect what arrives: wait up to 1 s for
                        N frames, then until 3 ms pass quietly                     -> rx IF HEX ... / done
  wait N                collect as after a send (the frame was sent from elsewhere) -> rx ... / done
  drain MS              collect for MS milliseconds                               -> rx ... / done
"""
import os, select, socket, sys, time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
socks = {}


def collect(want, quiet, limit):
    got = []
    deadline = time.monotonic() + limit
    last = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        wait = (deadline - now) if len(got) < want else (last + quiet - now)
        if wait <= 0:
            break
        ready, _, _ = select.select(list(socks.values()), [], [], wait)
        for s in ready:
            while True:
                try:
                    data, addr = s.recvfrom(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                got.append((addr[0], data))
                last = time.monotonic()
    return got


def poll_once():
    got = []
    for name, s in socks.items():
        while True:
            try:
                data, addr = s.recvfrom(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if addr[2] != PACKET_OUTGOING:
                got.append((addr[0], data))
    return got


def reply(frames):
    out = sys.stdout
    for name, data in frames:
        out.write("rx %s %s\n" % (name, data.hex()))
    out.write("done\n")
    out.flush()


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    cmd = words[0]
    if cmd == "open":
        for name in words[1:]:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            s.bind((name, 0))
            socks[name] = s
        sys.stdout.write("ok\n")
        sys.stdout.flush()
    elif cmd == "send":
        name, frame, want = words[1], bytes.fromhex(words[2]), int(words[3])
        stale = poll_once()
        socks[name].send(frame)
        reply(stale + collect(want, 0.003, 1.0))
    elif cmd == "wait":
        reply(collect(int(words[1]), 0.003, 1.0))
    elif cmd == "drain":
        reply(collect(1 << 30, 0.0, int(words[1]) / 1000.0))
    else:
        sys.stdout.write("error unknown command %s\n" % cmd)
        sys.stdout.flush()
