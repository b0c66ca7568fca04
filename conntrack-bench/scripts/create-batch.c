/*
 * The C floor for batched ctnetlink writes, built like ConntrackTable.createAll/deleteAll: N UDP
 * entries (orig and reply tuple, status CONFIRMED, timeout), 128 independent requests per sendmsg,
 * only the last asking for an ACK, errors counted from the replies; then the same N deleted by
 * tuple. Prints "created/s deleted/s created/cpu-s deleted/cpu-s" (wall-clock and thread-CPU rates).
 *
 *   gcc -O2 -o create-batch create-batch.c && ip netns exec NS ./create-batch [N]
 */
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 128

static char out[64 * 1024];
static int used;

static double clock_seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static struct nlattr *put(int type, const void *data, int length) {
    struct nlattr *a = (struct nlattr *) (out + used);
    a->nla_type = type;
    a->nla_len = NLA_HDRLEN + length;
    if (length > 0) {
        memcpy(out + used + NLA_HDRLEN, data, length);
    }
    used += NLA_ALIGN(a->nla_len);
    return a;
}

static int nest_begin(int type) {
    int at = used;
    put(type | NLA_F_NESTED, NULL, 0);
    return at;
}

static void nest_end(int at) {
    ((struct nlattr *) (out + at))->nla_len = used - at;
}

static void tuple(int type, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) {
    int t = nest_begin(type);
    int ip = nest_begin(CTA_TUPLE_IP);
    put(CTA_IP_V4_SRC, &src, 4);
    put(CTA_IP_V4_DST, &dst, 4);
    nest_end(ip);
    int proto = nest_begin(CTA_TUPLE_PROTO);
    uint8_t udp = 17;
    put(CTA_PROTO_NUM, &udp, 1);
    put(CTA_PROTO_SRC_PORT, &sport, 2);
    put(CTA_PROTO_DST_PORT, &dport, 2);
    nest_end(proto);
    nest_end(t);
}

static void request(int type, int flags, unsigned seq, int i, int create) {
    int start = used;
    struct nlmsghdr *h = (struct nlmsghdr *) (out + used);
    h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    h->nlmsg_seq = seq;
    h->nlmsg_pid = 0;
    used += NLMSG_HDRLEN;
    struct nfgenmsg *g = (struct nfgenmsg *) (out + used);
    g->nfgen_family = AF_INET;
    g->version = NFNETLINK_V0;
    g->res_id = 0;
    used += NLMSG_ALIGN(sizeof(struct nfgenmsg));
    uint32_t src = htonl(0x0B000000u | (uint32_t) (i >> 12) << 4);
    uint32_t dst = htonl(0xAC100001u);
    uint16_t sport = htons(1024 + (i & 0xFFF));
    uint16_t dport = htons(53);
    tuple(CTA_TUPLE_ORIG, src, dst, sport, dport);
    if (create) {
        tuple(CTA_TUPLE_REPLY, dst, src, dport, sport);
        uint32_t status = htonl(8);
        uint32_t timeout = htonl(600);
        put(CTA_STATUS, &status, 4);
        put(CTA_TIMEOUT, &timeout, 4);
    }
    h->nlmsg_len = used - start;
}

static long run(int fd, int n, int create, unsigned *seq) {
    static char in[32768];
    long failed = 0;
    for (int first = 0; first < n; first += BATCH) {
        used = 0;
        int last = first + BATCH < n ? first + BATCH : n;
        unsigned first_seq = *seq + 1;
        for (int i = first; i < last; i++) {
            request(create ? IPCTNL_MSG_CT_NEW : IPCTNL_MSG_CT_DELETE,
                    (create ? NLM_F_CREATE | NLM_F_EXCL : 0) | (i == last - 1 ? NLM_F_ACK : 0), ++*seq, i, create);
        }
        if (send(fd, out, used, 0) != used) {
            perror("send");
            exit(1);
        }
        for (int done = 0; !done;) {
            int length = (int) recv(fd, in, sizeof(in), 0);
            if (length < 0) {
                perror("recv");
                exit(1);
            }
            for (struct nlmsghdr *m = (struct nlmsghdr *) in; NLMSG_OK(m, length); m = NLMSG_NEXT(m, length)) {
                if (m->nlmsg_type == NLMSG_ERROR && m->nlmsg_seq >= first_seq && m->nlmsg_seq <= *seq) {
                    struct nlmsgerr *e = NLMSG_DATA(m);
                    failed += e->error != 0;
                    done |= m->nlmsg_seq == *seq;
                }
            }
        }
    }
    return failed;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    int one = 1;
    if (fd < 0 || bind(fd, (struct sockaddr *) &local, sizeof(local)) < 0) {
        perror("socket");
        return 1;
    }
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    unsigned seq = 0;
    double wall = clock_seconds(CLOCK_MONOTONIC), cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    long failed = run(fd, n, 1, &seq);
    double create_wall = clock_seconds(CLOCK_MONOTONIC) - wall, create_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
    wall = clock_seconds(CLOCK_MONOTONIC);
    cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    failed += run(fd, n, 0, &seq);
    double delete_wall = clock_seconds(CLOCK_MONOTONIC) - wall, delete_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
    if (failed) {
        fprintf(stderr, "%ld requests failed\n", failed);
        return 1;
    }
    printf("%.0f %.0f %.0f %.0f\n", n / create_wall, n / delete_wall, n / create_cpu, n / delete_cpu);
    return 0;
}
