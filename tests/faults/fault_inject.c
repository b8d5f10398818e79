/* Disk faults for real, without root: an LD_PRELOAD library that makes
 * writes and syncs of regular files fail while the file named by
 * $BELAY_FAULT_FILE exists (ENOSPC for writes, EIO for syncs). Sockets,
 * pipes and terminals are never touched, so the server keeps talking. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int faulty(int fd) {
    const char* flag = getenv("BELAY_FAULT_FILE");
    struct stat st;
    if (!flag || access(flag, F_OK) != 0) return 0;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
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
    if (faulty(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT(fsync)(fd);
}

int fdatasync(int fd) {
    if (faulty(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT(fdatasync)(fd);
}
