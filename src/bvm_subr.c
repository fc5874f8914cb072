/*
 * bvm_subr.c: support routines the kernel would get from elsewhere:
 * panic(), locks that can assert their owner, lock objects, errno names.
 */
#include <stdarg.h>

#include "uvm_extern.h"

#if defined(__SANITIZE_THREAD__)
int bvm_membar_dummy;
#endif

void
panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bsdvm panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
bvm_mutex_init(struct bvm_mutex *m)
{
	pthread_mutex_init(&m->mtx, NULL);
#ifdef BVM_DEBUG
	m->held = 0;
#endif
}

void
bvm_mutex_destroy(struct bvm_mutex *m)
{
	KASSERT(!m->held);
	pthread_mutex_destroy(&m->mtx);
}

void
bvm_mutex_enter(struct bvm_mutex *m)
{
#ifdef BVM_DEBUG
	if (bvm_mutex_owned(m))
		panic("bvm_mutex_enter: %p: locking against myself", (void *)m);
#endif
	pthread_mutex_lock(&m->mtx);
#ifdef BVM_DEBUG
	__atomic_store_n(&m->owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&m->held, 1, __ATOMIC_RELAXED);
#endif
}

/*
 * bvm_mutex_tryenter: take m if it is free.  A mutex the caller already
 * holds is not free.  => returns true if taken.
 */
bool
bvm_mutex_tryenter(struct bvm_mutex *m)
{
#ifdef BVM_DEBUG
	if (bvm_mutex_owned(m))
		return false;
#endif
	if (pthread_mutex_trylock(&m->mtx) != 0)
		return false;
#ifdef BVM_DEBUG
	__atomic_store_n(&m->owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&m->held, 1, __ATOMIC_RELAXED);
#endif
	return true;
}

void
bvm_mutex_exit(struct bvm_mutex *m)
{
#ifdef BVM_DEBUG
	KASSERT(bvm_mutex_owned(m));
	__atomic_store_n(&m->held, 0, __ATOMIC_RELAXED);
#endif
	pthread_mutex_unlock(&m->mtx);
}

/* bvm_mutex_owned: does the calling thread hold m?  (debug builds only) */
bool
bvm_mutex_owned(struct bvm_mutex *m)
{
#ifdef BVM_DEBUG
	return __atomic_load_n(&m->held, __ATOMIC_RELAXED) &&
	    pthread_equal(__atomic_load_n(&m->owner, __ATOMIC_RELAXED),
	    pthread_self());
#else
	return true;
#endif
}

void
bvm_rw_init(struct bvm_rwlock *l)
{
	pthread_rwlock_init(&l->rw, NULL);
#ifdef BVM_DEBUG
	l->wheld = 0;
	l->readers = 0;
#endif
}

void
bvm_rw_destroy(struct bvm_rwlock *l)
{
	pthread_rwlock_destroy(&l->rw);
}

void
bvm_rw_enter_read(struct bvm_rwlock *l)
{
	pthread_rwlock_rdlock(&l->rw);
#ifdef BVM_DEBUG
	__atomic_fetch_add(&l->readers, 1, __ATOMIC_RELAXED);
#endif
}

void
bvm_rw_enter_write(struct bvm_rwlock *l)
{
#ifdef BVM_DEBUG
	if (bvm_rw_write_held(l))
		panic("bvm_rw_enter_write: %p: locking against myself",
		    (void *)l);
#endif
	pthread_rwlock_wrlock(&l->rw);
#ifdef BVM_DEBUG
	__atomic_store_n(&l->writer, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&l->wheld, 1, __ATOMIC_RELAXED);
#endif
}

void
bvm_rw_exit_read(struct bvm_rwlock *l)
{
#ifdef BVM_DEBUG
	KASSERT(__atomic_fetch_sub(&l->readers, 1, __ATOMIC_RELAXED) > 0);
#endif
	pthread_rwlock_unlock(&l->rw);
}

void
bvm_rw_exit_write(struct bvm_rwlock *l)
{
#ifdef BVM_DEBUG
	KASSERT(bvm_rw_write_held(l));
	__atomic_store_n(&l->wheld, 0, __ATOMIC_RELAXED);
#endif
	pthread_rwlock_unlock(&l->rw);
}

bool
bvm_rw_write_held(struct bvm_rwlock *l)
{
#ifdef BVM_DEBUG
	return __atomic_load_n(&l->wheld, __ATOMIC_RELAXED) &&
	    pthread_equal(__atomic_load_n(&l->writer, __ATOMIC_RELAXED),
	    pthread_self());
#else
	return true;
#endif
}

/*
 * bvm_rw_lock_held: held for reading by someone, or for writing by us.
 * (A reader/writer lock does not record which threads read.)
 */
bool
bvm_rw_lock_held(struct bvm_rwlock *l)
{
#ifdef BVM_DEBUG
	return bvm_rw_write_held(l) ||
	    __atomic_load_n(&l->readers, __ATOMIC_RELAXED) > 0;
#else
	return true;
#endif
}

struct bvm_lockobj *
bvm_lockobj_alloc(void)
{
	struct bvm_lockobj *lo = malloc(sizeof(*lo));

	if (lo == NULL)
		return NULL;
	bvm_mutex_init(&lo->lo_mtx);
	lo->lo_refs = 1;
	return lo;
}

void
bvm_lockobj_hold(struct bvm_lockobj *lo)
{
	__atomic_fetch_add(&lo->lo_refs, 1, __ATOMIC_RELAXED);
}

void
bvm_lockobj_free(struct bvm_lockobj *lo)
{
	if (__atomic_sub_fetch(&lo->lo_refs, 1, __ATOMIC_ACQ_REL) == 0) {
		bvm_mutex_destroy(&lo->lo_mtx);
		free(lo);
	}
}

const char *
bvm_errname(int error)
{
	switch (error) {
	case 0:       return "0";
	case EPERM:   return "EPERM";
	case ENOENT:  return "ENOENT";
	case EIO:     return "EIO";
	case ENXIO:   return "ENXIO";
	case EBADF:   return "EBADF";
	case EAGAIN:  return "EAGAIN";
	case ENOMEM:  return "ENOMEM";
	case EACCES:  return "EACCES";
	case EFAULT:  return "EFAULT";
	case EBUSY:   return "EBUSY";
	case EEXIST:  return "EEXIST";
	case ENODEV:  return "ENODEV";
	case EINVAL:  return "EINVAL";
	case ENOSPC:  return "ENOSPC";
	case ERANGE:  return "ERANGE";
	case ENOTSUP: return "ENOTSUP";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EOVERFLOW: return "EOVERFLOW";
	default:      return "E?";
	}
}
