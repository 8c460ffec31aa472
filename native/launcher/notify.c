/* Notify mode's fork, handshake and tree supervision (see notify.h). */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "contain.h"
#include "die.h"
#include "watch.h"

void notify_fork(const struct handshake_fds *fds, const struct watch_plan *plan)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "prctl(PR_SET_CHILD_SUBREAPER)", "this requires Linux 3.4 or later");
    }
    watch_fork(plan, fds->report_fd, fds->go_fd); /* returns in P only */
}

/* Sets close-on-exec again (fds_close_except clears it on fds it keeps). */
static void cloexec(int fd)
{
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fcntl(F_SETFD)", NULL);
    }
}

/* Connects to the JVM's AF_UNIX socket (before the filter): the JVM checks who is on the other end. */
static int connect_supervisor(const char *path)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        die(STATUS_LAUNCH_FAILED, "--notify-socket %s: the path is longer than %zu bytes", path,
            sizeof(addr.sun_path) - 1);
    }
    memcpy(addr.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "socket(AF_UNIX)", NULL);
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        die(STATUS_LAUNCH_FAILED, "connect(%s): %s", path, errno_text(errno));
    }
    return fd;
}

/* The JVM's handoff byte, read before the filter is installed. */
static char read_handoff(int go_fd, int socket_fd)
{
    char how = child_wait_for_go(go_fd);
    if (how == NOTIFY_HANDOFF_SCM_RIGHTS && socket_fd < 0) {
        die(STATUS_LAUNCH_FAILED, "the supervisor asked for the SCM_RIGHTS handoff, but no --notify-socket was given");
    }
    if (how != NOTIFY_HANDOFF_PIDFD && how != NOTIFY_HANDOFF_SCM_RIGHTS) {
        die(STATUS_LAUNCH_FAILED, "unexpected handoff byte 0x%02x on the go pipe", (unsigned char)how);
    }
    return how;
}

void notify_prepare(const struct notify_handshake *h, const struct handshake_fds *fds, int closing_fd,
                    struct notify_handoff *out)
{
    cloexec(fds->report_fd);
    cloexec(fds->go_fd);
    out->socket_fd = h->socket_path != NULL ? connect_supervisor(h->socket_path) : -1;
    int lowest = fcntl(fds->go_fd, F_DUPFD_CLOEXEC, 0);
    if (lowest < 0) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "fcntl(F_DUPFD_CLOEXEC)", NULL);
    }
    close(lowest);
    if (closing_fd >= 0 && closing_fd < lowest) {
        lowest = closing_fd; /* every fd below lowest is open: closing this one frees the lowest number */
    }
    char line[64];
    int n = snprintf(line, sizeof(line), "%d %d %d\n", (int)contain_outer_pid(), lowest, out->socket_fd);
    if (write(fds->report_fd, line, (size_t)n) != n) {
        die_errno(STATUS_LAUNCH_FAILED, errno, "write(report pipe)", "the supervisor is gone");
    }
    out->reported = lowest;
    out->how = read_handoff(fds->go_fd, out->socket_fd);
}

/* Under the filter: the listener to the JVM with one byte of data and an SCM_RIGHTS message. */
static void send_listener(int socket_fd, int listener)
{
    char byte = 'L';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &listener, sizeof(int));
    ssize_t n;
    do {
        n = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        die_errno(STATUS_LAUNCH_FAILED, n < 0 ? errno : EIO, "sendmsg(SCM_RIGHTS)",
                  "the seccomp listener could not be handed to the supervisor, so the program was not run; "
                  "the SCM_RIGHTS handoff needs the policy to allow sendmsg");
    }
}

void notify_hand_over(const struct handshake_fds *fds, const struct notify_handoff *handoff, int listener)
{
    if (listener != handoff->reported) {
        die_parts(STATUS_LAUNCH_FAILED, "the seccomp listener did not get the reported fd number; "
                  "refusing to run the program", NULL);
    }
    if (handoff->how == NOTIFY_HANDOFF_SCM_RIGHTS) {
        send_listener(handoff->socket_fd, listener);
        close(listener); /* the JVM has its own copy now, or nobody does */
        listener = -1;
    }
    if (child_wait_for_go(fds->go_fd) != NOTIFY_GO) {
        die_parts(STATUS_LAUNCH_FAILED, "unexpected byte on the go pipe; refusing to run the program", NULL);
    }
    if (listener >= 0) {
        close(listener); /* the program must never answer its own notifications */
    }
    if (handoff->socket_fd >= 0) {
        close(handoff->socket_fd);
    }
}
