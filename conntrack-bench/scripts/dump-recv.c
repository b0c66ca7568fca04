/*
 * The floor for a ctnetlink dump: a bare C receive loop. Asks the kernel for the conntrack table
 * (IPCTNL_MSG_CT_GET with NLM_F_DUMP), receives every datagram into one 32 KiB buffer and counts
 * the entry messages by walking the netlink headers only; no attribute is parsed. Prints one line
 * per run: "<entries> <wall seconds> <thread CPU seconds>" (the kernel fills dump datagrams in the
 * receiving thread, so its CPU time counts the kernel's work too and is robust to a busy machine).
 * Timing covers request to NLMSG_DONE (no process start-up).
 *
 *   gcc -O2 -o dump-recv dump-recv.c && ip netns exec NS ./dump-recv [RUNS]
 */
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double clock_seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static long dump_once(int fd, unsigned int seq) {
    struct {
        struct nlmsghdr header;
        struct nfgenmsg body;
    } request;
    memset(&request, 0, sizeof(request));
    request.header.nlmsg_len = sizeof(request);
    request.header.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = seq;
    request.body.nfgen_family = AF_UNSPEC;
    request.body.version = NFNETLINK_V0;
    if (send(fd, &request, sizeof(request), 0) < 0) {
        perror("send");
        exit(1);
    }
    static char buffer[32768];
    long entries = 0;
    for (;;) {
        ssize_t received = recv(fd, buffer, sizeof(buffer), 0);
        if (received < 0) {
            perror("recv");
            exit(1);
        }
        int length = (int) received;
        for (struct nlmsghdr *m = (struct nlmsghdr *) buffer; NLMSG_OK(m, length); m = NLMSG_NEXT(m, length)) {
            if (m->nlmsg_type == NLMSG_DONE) {
                return entries;
            }
            if (m->nlmsg_type == NLMSG_ERROR) {
                fprintf(stderr, "dump failed\n");
                exit(1);
            }
            entries++;
        }
    }
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *) &local, sizeof(local)) < 0) {
        perror("bind");
        return 1;
    }
    for (int run = 0; run < runs; run++) {
        double start = clock_seconds(CLOCK_MONOTONIC);
        double cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
        long entries = dump_once(fd, run + 1);
        printf("%ld %.3f %.3f\n", entries, clock_seconds(CLOCK_MONOTONIC) - start,
               clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
