# A VRRP router that is not part of any stack: sends VRRPv2 adverts for one router id to 224.0.0.18 once a
# second from the lab host it runs on (the lab's fault for the pre-flight check of router ids). It only
# advertises; it never takes an address. Usage: python3 foreign-vrrp.py VRID SOURCE_ADDRESS
import socket
import struct
import sys
import time

vrid = int(sys.argv[1])
source = sys.argv[2]
# version 2, type 1 (advertisement), vrid, priority 50, one address, no authentication, 1 s interval.
header = struct.pack("!BBBBBBH", 0x21, vrid, 50, 1, 0, 1, 0) + socket.inet_aton("10.213.151.199") + bytes(8)
total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
while total > 0xFFFF:
    total = (total & 0xFFFF) + (total >> 16)
packet = header[:6] + struct.pack("!H", ~total & 0xFFFF) + header[8:]
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(source))
while True:
    sock.sendto(packet, ("224.0.0.18", 0))
    time.sleep(1)
