// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers that travel with a forwarded call (SYSCALL, deputy.c).
 *
 * The origin reaches every buffer of a remote thread's call through the
 * coherent address space, but a page the thread has just written is held
 * at the remote: the origin recalls it, and the thread takes it back at
 * its next write. A 64-byte write() from a stack buffer cost three round
 * trips so. For read, pread64, write and pwrite64 of at most
 * PCN_SYSCALL_INLINE_MAX bytes the bytes travel instead: with the request
 * for a write, with the answer for a read.
 *
 * At the origin the twin makes such a call on a kernel buffer, through
 * the file as the system call would (kernel_read(), kernel_write(): the
 * same checks, file position, notifications and accounting). Files that
 * only have the user-buffer methods (->read, ->write) and O_DIRECT files
 * (whose I/O goes straight to user pages) take the ordinary way: the call
 * is made on the thread's own buffer, through the coherent memory.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/unistd.h>
#include "internal.h"
#include "process.h"

/* Does call @nr take a buffer that may travel? *out: it fills it. */
static bool pcn_inline_call(unsigned int nr, bool *out)
{
	switch (nr) {
	case __NR_read:
	case __NR_pread64:
		*out = true;
		return true;
	case __NR_write:
	case __NR_pwrite64:
		*out = false;
		return true;
	default:
		return false;
	}
}

/* ---- remote ---- */

/*
 * A SYSCALL message for call @nr with @regs' arguments (filled in by the
 * caller but for the inline part), with the call's input buffer in it
 * when it travels; *size: the message's size. NULL: no buffer travels.
 */
struct pcn_syscall_msg *pcn_inline_request(unsigned int nr,
					   const struct pt_regs *regs,
					   size_t *size)
{
	void __user *buf = (void __user *)regs->si;
	struct pcn_syscall_msg *m;
	size_t len = regs->dx;
	bool out;

	if (!pcn_inline_call(nr, &out) || !len ||
	    len > PCN_SYSCALL_INLINE_MAX)
		return NULL;
	m = kzalloc(sizeof(*m) + (out ? 0 : len), GFP_KERNEL);
	if (!m)
		return NULL;	/* the buffer goes through the memory */
	/*
	 * A bad buffer goes without: the origin finds EFAULT itself, as at
	 * home (a read into a buffer that cannot take the bytes must not
	 * consume them). The read buffer is faulted in writable here first,
	 * without writing to it.
	 */
	*size = sizeof(*m);
	if (out) {
		if (!fault_in_safe_writeable(buf, len))
			m->out_max = len;
	} else if (!copy_from_user(m + 1, buf, len)) {
		m->in_len = len;
		*size += len;
	}
	return m;
}

/*
 * The answer @reply to @m: *ret is the call's result, and the bytes read
 * are copied to the caller's buffer. -EPROTO when it is malformed.
 */
int pcn_inline_reply(const struct pcn_syscall_msg *m,
		     const struct pcn_kmsg_rx *reply,
		     const struct pt_regs *regs, long *ret)
{
	const struct pcn_syscall_reply *r = (const void *)reply->msg->payload;
	size_t size = reply->msg->hdr.size;

	*ret = r->ret;
	if (size == sizeof(*r))
		return 0;	/* no data, or it went through the memory */
	if (!m->out_max || r->ret <= 0 || r->ret > m->out_max ||
	    size != sizeof(*r) + r->ret)
		return -EPROTO;
	/* A buffer that went bad meanwhile: what it took, as at home. */
	size = copy_to_user((void __user *)regs->si, r + 1, r->ret);
	if (size)
		*ret = size == r->ret ? -EFAULT : r->ret - size;
	return 0;
}

/* ---- origin ---- */

/* The receiver's check of a SYSCALL's inline part; @size: its size. */
bool pcn_inline_valid(const struct pcn_syscall_msg *m, size_t size)
{
	bool out;

	if (size != sizeof(*m) + m->in_len)
		return false;
	if (!m->in_len && !m->out_max)
		return true;
	/* A read's in_len: windows for its bytes (deputy_bulk.c). */
	if (pcn_inline_call(m->nr, &out) && out && m->in_len)
		return pcn_bulk_valid(m);
	/* The call's direction says which one; the other stays 0. */
	if (!pcn_inline_call(m->nr, &out) ||
	    (out ? m->in_len : m->out_max) ||
	    (out ? m->out_max : m->in_len) != m->args[2] ||
	    m->args[2] > PCN_SYSCALL_INLINE_MAX)
		return false;
	return true;
}

static void pcn_inline_fdput(struct fd f, bool positional)
{
	if (positional)
		fdput(f);
	else
		fdput_pos(f);
}

/*
 * May @file be read or written (@write) from a kernel buffer, with the
 * result the user's buffer would get? Regular files, pipes and sockets,
 * whose ->read_iter/->write_iter take any iov_iter; not O_DIRECT ones,
 * whose I/O goes to the buffer's pages, nor FUSE files (a direct-I/O
 * FUSE file does so too). Character devices, whose drivers may want a
 * user buffer, go through the memory.
 */
static bool pcn_inline_file_ok(struct file *file, bool write)
{
	const struct file_operations *fop = file->f_op;
	umode_t mode = file_inode(file)->i_mode;

	if (!(S_ISREG(mode) || S_ISFIFO(mode) || S_ISSOCK(mode)) ||
	    (file->f_flags & O_DIRECT) ||
	    file_inode(file)->i_sb->s_magic == FUSE_SUPER_MAGIC)
		return false;
	return write ? fop->write_iter && !fop->write :
		       fop->read_iter && !fop->read;
}

/*
 * In the twin: make @m's call on its inline buffer, as ksys_read(),
 * ksys_write(), ksys_pread64() and ksys_pwrite64() would on the user's.
 * False when the file needs the user's buffer (the caller makes the call
 * as usual); else true with the result in *ret and, for a read that got
 * bytes, *datap: an answer with them (the caller sends and frees it).
 */
bool pcn_twin_inline(const struct pcn_syscall_msg *m, int from,
		     struct pcn_syscall_reply **datap, long *ret)
{
	struct pcn_syscall_reply *data = NULL;
	size_t count = m->args[2];
	loff_t pos = m->args[3], *ppos = NULL;
	bool write, bulk, positional;
	void *vbuf = NULL;
	struct fd f;

	pcn_inline_call(m->nr, &write);
	write = !write;
	bulk = !write && m->in_len;	/* the bytes go to pages there */

	positional = m->nr == __NR_pread64 || m->nr == __NR_pwrite64;
	/* The errors in the order the system calls give them. */
	if (positional && pos < 0) {
		*ret = -EINVAL;
		return true;
	}
	f = positional ? fdget(m->args[0]) : fdget_pos(m->args[0]);
	if (!f.file) {
		*ret = -EBADF;
		return true;
	}
	if (!pcn_inline_file_ok(f.file, write))
		goto user_buffer;
	if (bulk) {
		vbuf = vmalloc(round_up(count, PAGE_SIZE));
		if (!vbuf)
			goto user_buffer;
	} else if (!write) {
		data = kmalloc(sizeof(*data) + count, GFP_KERNEL);
		if (!data)
			goto user_buffer;
	}
	if (positional) {
		*ret = -ESPIPE;
		if (!(f.file->f_mode & (write ? FMODE_PWRITE : FMODE_PREAD)))
			goto out;
		ppos = &pos;
	} else if (!(f.file->f_mode & FMODE_STREAM)) {
		pos = f.file->f_pos;
		ppos = &pos;
	}
	*ret = -EBADF;
	if (!(f.file->f_mode & (write ? FMODE_WRITE : FMODE_READ)))
		goto out;
	if (write)
		*ret = kernel_write(f.file, m + 1, count, ppos);
	else
		*ret = kernel_read(f.file, bulk ? vbuf : data + 1, count, ppos);
	if (*ret >= 0 && ppos && !positional)
		f.file->f_pos = pos;
	if (bulk && *ret > 0) {
		/* Read but not delivered: the thread sees an I/O error. */
		if (pcn_bulk_put(from, m, vbuf, *ret))
			*ret = -EIO;
	} else if (!write && *ret > 0) {
		data->ret = *ret;
		*datap = data;
		data = NULL;
	}
out:
	kfree(data);
	vfree(vbuf);
	pcn_inline_fdput(f, positional);
	return true;
user_buffer:
	pcn_inline_fdput(f, positional);
	if (!bulk)
		return false;	/* the call is made on the user's buffer */
	*ret = PCN_SYSCALL_NO_BULK;	/* nothing read: ask again */
	return true;
}
