/*
 * libsyscage-notify: the notify supervisor's receive loop for the calls whose answer is known
 * before they arrive.
 *
 * The JVM builds a table from the policy: for each (architecture, syscall number), either "ask"
 * (Java decides: a path rule, a hook, an audit record, a kill, a call that changes what the
 * supervisor remembers about a thread) or a fixed answer (CONTINUE, or an errno) that depends on
 * the number alone and that nothing but a counter needs to see. syscage_notify_next() receives
 * notifications on the JVM's supervisor thread and answers the fixed ones here, so they cost no
 * transition into Java; it returns as soon as one needs Java, or after a batch, so that Java
 * can publish the counts and see a stop request. It reads nothing from the target and never
 * kills: everything that needs more than the number goes to Java.
 *
 * Table layout (all native-endian, owned by the JVM): uint32_t arches[SC_ARCHES] (AUDIT_ARCH
 * values, 0 = unused), uint32_t answers[SC_ARCHES * nrs] and uint64_t counts[SC_ARCHES * nrs],
 * indexed by slot * nrs + nr. An answer is 0 (ask), SC_CONTINUE, or SC_ERRNO | errno.
 * A count goes up once per call answered here with SEND succeeding (a call the kernel
 * interrupted is re-sent and counted then). A slot's first count appends its index to
 * touched[], so the JVM reads only the entries that moved.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#define SC_ARCHES 2
#define SC_CONTINUE 0x10000u
#define SC_ERRNO 0x20000u
#define SC_ERRNO_MASK 0xffffu

/* What syscage_notify_next returns, besides a negative errno from RECV or SEND. */
#define SC_ASK 1   /* req holds a notification for Java */
#define SC_BATCH 2 /* max_fast calls were answered here; nothing is pending */

struct sc_table {
    uint32_t arches[SC_ARCHES];
    uint32_t nrs;        /* entries per architecture */
    uint32_t touched_len; /* how many indexes touched[] holds */
    const uint32_t *answers;
    uint64_t *counts;
    uint32_t *touched;   /* SC_ARCHES * nrs entries of room */
    uint64_t fast;       /* calls answered here, all entries together */
};

static uint32_t answer_of(const struct sc_table *t, const struct seccomp_notif *req, uint32_t *index)
{
    int nr = req->data.nr;
    if (nr < 0 || (uint32_t)nr >= t->nrs)
        return 0; /* x32 numbers, and anything the table does not cover */
    for (uint32_t slot = 0; slot < SC_ARCHES; slot++) {
        if (t->arches[slot] != 0 && t->arches[slot] == req->data.arch) {
            *index = slot * t->nrs + (uint32_t)nr;
            return t->answers[*index];
        }
    }
    return 0;
}

/* SEND the fixed answer (again when interrupted); 0, or the errno (ENOENT: the call was interrupted or its thread died). */
static int send_answer(int listener, const struct seccomp_notif *req, uint32_t answer)
{
    struct seccomp_notif_resp resp;
    memset(&resp, 0, sizeof(resp));
    resp.id = req->id;
    if (answer & SC_CONTINUE)
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else
        resp.error = -(int32_t)(answer & SC_ERRNO_MASK);
    /* SEND takes the filter's lock interruptibly: a signal to this thread must not lose the answer */
    while (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

static void count(struct sc_table *t, uint32_t index)
{
    if (t->counts[index]++ == 0)
        t->touched[t->touched_len++] = index;
    t->fast++;
}

/*
 * Receives into req (req_size bytes, zeroed here before each RECV as the kernel requires) until
 * a notification needs Java (SC_ASK) or max_fast have been answered here (SC_BATCH). Returns
 * -EINTR or -ENOENT when RECV was interrupted or its caller went away (on 6.6+ also: no process
 * uses the filter any more), and the negative errno of any other RECV or SEND failure.
 */
int syscage_notify_next(int listener, struct seccomp_notif *req, size_t req_size, struct sc_table *t,
                        uint32_t max_fast)
{
    for (uint32_t done = 0; done < max_fast; done++) {
        memset(req, 0, req_size);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0)
            return -errno;
        uint32_t index = 0;
        uint32_t answer = answer_of(t, req, &index);
        if (answer == 0)
            return SC_ASK;
        int err = send_answer(listener, req, answer);
        if (err == 0)
            count(t, index);
        else if (err != ENOENT)
            return -err;
    }
    return SC_BATCH;
}

/* Lets the JVM check that it loaded the library its table layout was written for. */
int syscage_notify_abi(void)
{
    return (int)(sizeof(struct sc_table) << 8 | SC_ARCHES);
}
