#!/usr/bin/env python3
"""Writes a pcap of 64-byte TCP frames, one per flow, the frames `jnat bench` sends (EngineBench):
flow i goes from container 172.17.0.2+(i % 65000), port 1024+(i // 65000) % 60000, to server
198.51.100.(1 + i % 250) port 80, Ethernet from the container's MAC to docker0's.

  flows-pcap.py FLOWS OUT.pcap [--flags syn|ack]

ack (default): ACK seq 1001 ack 5001, what the established phase of `jnat bench` sends.
syn: SYN seq 1000, what its new-connection phase sends.
"""
import struct
import sys


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip(s: str) -> int:
    return struct.unpack("!I", bytes(int(x) for x in s.split(".")))[0]


def main() -> None:
    args = sys.argv[1:]
    flags = 0x10
    if "--flags" in args:
        k = args.index("--flags")
        flags = {"syn": 0x02, "ack": 0x10}[args[k + 1]]
        del args[k:k + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    flows, out = int(args[0]), args[1]
    seq, ack = (1000, 0) if flags == 0x02 else (1001, 5001)
    container0, server0 = ip("172.17.0.2"), ip("198.51.100.0")
    eth = bytes.fromhex("0242d5353a3c" "0242ac110002" "0800")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(flows):
            src, dst = container0 + i % 65000, server0 + 1 + i % 250
            sport, dport = 1024 + (i // 65000) % 60000, 80
            iph = struct.pack("!BBHHHBBHII", 0x45, 0, 50, 0, 0x4000, 64, 6, 0, src, dst)
            iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
            tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 0xFFFF, 0, 0) + bytes(10)
            pseudo = struct.pack("!IIBBH", src, dst, 0, 6, len(tcp))
            tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
            frame = eth + iph + tcp
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
