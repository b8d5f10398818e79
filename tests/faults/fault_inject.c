/* Disk faults for real, without root: an LD_PRELOAD library that makes
 * writes and syncs of regular files fail while the file named by
 * $BELAY_FAULT_FILE exists (ENOSPC for writes, EIO for syncs), and makes
 * their syncs take $BELAY_SLOW_MS milliseconds (default 1500) while the file
 * named by $BELAY_SLOW_FILE exists: a slow disk, for a commit still in flight
 * when something else happens. Sockets, pipes and terminals are never
 * touched, so the server keeps talking. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int flagged(const char* variable, int fd) {
    const char* flag = getenv(variable);
    struct stat st;
    if (!flag || access(flag, F_OK) != 0) return 0;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int faulty(int fd) {
    return flagged("BELAY_FAULT_FILE", fd);
}

/* Sleeps before a sync while the slow flag exists. */
static void slow(int fd) {
    if (!flagged("BELAY_SLOW_FILE", fd)) return;
    const char* ms = getenv("BELAY_SLOW_MS");
    long n = ms ? atol(ms) : 1500;
    struct timespec t = {n / 1000, (n % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t n) {
    if (faulty(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return NEXT(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t at) {
    if (faulty(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return NEXT(pwrite)(fd, buf, n, at);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t at) {
    if (faulty(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return NEXT(pwrite64)(fd, buf, n, at);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
    if (faulty(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return NEXT(writev)(fd, iov, count);
}

int fsync(int fd) {
    slow(fd);
    if (faulty(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT(fsync)(fd);
}

int fdatasync(int fd) {
    slow(fd);
    if (faulty(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT(fdatasync)(fd);
}
