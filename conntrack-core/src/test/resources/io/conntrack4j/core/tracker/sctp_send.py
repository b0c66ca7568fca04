# Sends one SCTP packet from a raw socket: sctp_send.py DST SPORT DPORT VTAG(hex) CHUNK[=INIT_TAG(hex)]...
# (this kernel has no SCTP sockets, but conntrack tracks SCTP all the same). CRC32c included.
import socket, struct, sys
def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xffffffff
def chunk(ctype, flags, body):
    c = struct.pack('!BBH', ctype, flags, 4 + len(body)) + body
    return c + b'\0' * (-len(c) % 4)
dst, sport, dport, vtag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4], 16)
chunks = b''
for spec in sys.argv[5:]:
    name, _, arg = spec.partition('=')
    if name == 'init':
        chunks += chunk(1, 0, struct.pack('!IIHHI', int(arg, 16), 65536, 10, 10, 1))
    elif name == 'init_ack':
        chunks += chunk(2, 0, struct.pack('!IIHHI', int(arg, 16), 65536, 10, 10, 1))
    elif name == 'cookie_echo':
        chunks += chunk(10, 0, b'cook')
    elif name == 'cookie_ack':
        chunks += chunk(11, 0, b'')
    elif name == 'data':
        chunks += chunk(0, 3, struct.pack('!IHHI', 1, 0, 0, 0) + b'data')
    elif name == 'shutdown':
        chunks += chunk(7, 0, struct.pack('!I', 1))
    elif name == 'shutdown_ack':
        chunks += chunk(8, 0, b'')
    elif name == 'shutdown_complete':
        chunks += chunk(14, 0, b'')
header = struct.pack('!HHII', sport, dport, vtag, 0)
packet = header + chunks
packet = header[:8] + struct.pack('<I', crc32c(packet)) + chunks
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
s.sendto(packet, (dst, 0))
