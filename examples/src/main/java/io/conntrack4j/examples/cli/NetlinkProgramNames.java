package io.conntrack4j.examples.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The name of the program behind a netlink port id, found the way conntrack(8) finds it for the
 * {@code [USERSPACE] portid=N progname=NAME} suffix of its events: the port's socket inode from
 * {@code /proc/net/netlink}, then the process holding that socket (first the one whose pid equals
 * the port id, as most programs' first netlink socket is numbered, then every process), then the
 * name in its {@code /proc/PID/stat}. The last answer, found or not, is kept for the same port and
 * inode, so a flush of many entries costs one search. A program that has already exited has no
 * name, for conntrack too.
 */
final class NetlinkProgramNames {
    private static final int NETLINK_NETFILTER = 12;
    private final Path proc;
    private long lastPortId = -1;
    private long lastInode = -1;
    private String lastName;

    /** @param proc the proc file system ({@code /proc}) */
    NetlinkProgramNames(Path proc) {
        this.proc = proc;
    }

    /**
     * @param portId the port id (unsigned 32-bit)
     * @return the program's name, or null when it cannot be found
     */
    String nameOf(long portId) {
        long inode = inodeOf(portId);
        if (inode < 0) {
            return null;
        }
        if (portId == lastPortId && inode == lastInode) {
            return lastName;
        }
        String name = search(portId, inode);
        lastPortId = portId;
        lastInode = inode;
        lastName = name;
        return name;
    }

    /** The socket inode of a netfilter netlink port in this namespace, from /proc/net/netlink. */
    private long inodeOf(long portId) {
        List<String> lines;
        try {
            lines = Files.readAllLines(proc.resolve("net/netlink"));
        } catch (IOException e) {
            return -1;
        }
        // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 10 && f[1].equals(Integer.toString(NETLINK_NETFILTER)) && f[2].equals(Long.toString(portId))) {
                try {
                    return Long.parseLong(f[9]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private String search(long portId, long inode) {
        String socket = "socket:[" + inode + "]";
        if (portId > 1 && holds(proc.resolve(Long.toString(portId)), socket)) {
            return name(proc.resolve(Long.toString(portId)));
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc)) {
            for (Path process : processes) {
                String pid = process.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit) || pid.equals("1") || pid.equals(Long.toString(portId))) {
                    continue;
                }
                if (holds(process, socket)) {
                    return name(process);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static boolean holds(Path process, String socket) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(socket)) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a link
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** The command name of /proc/PID/stat: from after "(" up to the first ")", as conntrack reads it. */
    private static String name(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            int open = stat.indexOf('(');
            int close = open < 0 ? -1 : stat.indexOf(')', open + 1);
            return close > open + 1 ? stat.substring(open + 1, close) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
