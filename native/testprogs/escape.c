/*
 * escape: the ways out of a system-call filter that issue 12 found, one per subcommand, for
 * the profiles' regression tests. Each prints one line "NAME: ok" when the escape worked or
 * "NAME: CALL: strerror" when the kernel refused it, and exits 0 or 1 accordingly.
 *
 *   escape victim                 print "PID ADDR" of a word, then wait (up to 60 s) for another
 *                                 process to change it; exit 0 "victim: changed" when it did
 *   escape procmem PID ADDR       write into process PID's memory at ADDR through /proc/PID/mem
 *   escape mknod PATH             make a block device node (7:0, a loop device) at PATH
 *   escape tun                    attach a TUN interface through /dev/net/tun (TUNSETIFF)
 *   escape setflags PATH          FS_IOC_SETFLAGS on a read-only descriptor of PATH (its
 *                                 current flags, so nothing changes when it is allowed)
 *   escape kill PID|ppid          kill(PID, 0): may this process signal PID (ppid: its parent)?
 *   escape connect PORT           TCP connect to 127.0.0.1:PORT
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int refused(const char *name, const char *call)
{
    printf("%s: %s: %s\n", name, call, strerror(errno));
    return 1;
}

static int worked(const char *name)
{
    printf("%s: ok\n", name);
    return 0;
}

static volatile uint32_t word = 0x11111111;

static int victim(void)
{
    printf("%d %p\n", getpid(), (void *)&word);
    fflush(stdout);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 6000; i++) { /* 60 s at most */
        if (word != 0x11111111) {
            printf("victim: changed\n");
            return 0;
        }
        nanosleep(&tick, NULL);
    }
    printf("victim: unchanged\n");
    return 1;
}

static int procmem(const char *pid, const char *addr)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/mem", pid);
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        return refused("procmem", "open");
    }
    uint32_t value = 0x22222222;
    if (pwrite(fd, &value, sizeof(value), (off_t)strtoull(addr, NULL, 16)) != (ssize_t)sizeof(value)) {
        return refused("procmem", "pwrite");
    }
    return worked("procmem");
}

static int make_node(const char *path)
{
    if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) != 0) {
        return refused("mknod", "mknod");
    }
    unlink(path);
    return worked("mknod");
}

static int tun(void)
{
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        return refused("tun", "open");
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    strcpy(ifr.ifr_name, "scgesc%d");
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        return refused("tun", "ioctl(TUNSETIFF)");
    }
    close(fd); /* not persistent: the interface goes away with the descriptor */
    return worked("tun");
}

static int setflags(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return refused("setflags", "open");
    }
    long flags = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
        return refused("setflags", "ioctl(FS_IOC_GETFLAGS)");
    }
    if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) {
        return refused("setflags", "ioctl(FS_IOC_SETFLAGS)");
    }
    return worked("setflags");
}

static int signal_pid(const char *pid)
{
    pid_t target = strcmp(pid, "ppid") == 0 ? getppid() : (pid_t)atoi(pid);
    if (kill(target, 0) != 0) {
        return refused("kill", "kill");
    }
    return worked("kill");
}

static int tcp_connect(const char *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        return refused("connect", "socket");
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
        return refused("connect", "connect");
    }
    return worked("connect");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "victim") == 0 && argc == 2) {
        return victim();
    } else if (strcmp(cmd, "procmem") == 0 && argc == 4) {
        return procmem(argv[2], argv[3]);
    } else if (strcmp(cmd, "mknod") == 0 && argc == 3) {
        return make_node(argv[2]);
    } else if (strcmp(cmd, "tun") == 0 && argc == 2) {
        return tun();
    } else if (strcmp(cmd, "setflags") == 0 && argc == 3) {
        return setflags(argv[2]);
    } else if (strcmp(cmd, "kill") == 0 && argc == 3) {
        return signal_pid(argv[2]);
    } else if (strcmp(cmd, "connect") == 0 && argc == 3) {
        return tcp_connect(argv[2]);
    }
    fprintf(stderr, "usage: escape victim | procmem PID ADDR | mknod PATH | tun | setflags PATH | kill PID|ppid | connect PORT\n");
    return 2;
}
