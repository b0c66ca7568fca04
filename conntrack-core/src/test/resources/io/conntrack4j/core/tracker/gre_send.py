# Sends one GRE packet from a raw socket: gre_send.py DST FLAGS_VERSION(hex) PROTOCOL(hex) [WORD(hex)...]
# e.g. PPTP: 3001 880b 00000000 (payload length, call id) 00000001 (seq)
import socket, struct, sys
dst, fv, proto = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3], 16)
packet = struct.pack('!HH', fv, proto) + b''.join(struct.pack('!I', int(w, 16)) for w in sys.argv[4:])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
s.sendto(packet, (dst, 0))
