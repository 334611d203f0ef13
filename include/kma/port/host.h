/* SPDX-License-Identifier: MIT */
/*
 * port/host.h - inline hot primitives of the host port (see port.h,
 * "Inline primitives"). Selected by the build with
 * -DPORT_INLINE_HEADER='<kma/port/host.h>'.
 *
 * A CPU is a thread holding a slot: its id is a thread-local variable,
 * claimed on first use. No interrupts: save/restore are empty.
 */
#ifndef KMA_PORT_HOST_H
#define KMA_PORT_HOST_H

extern __thread int host_this_cpu __attribute__((tls_model("initial-exec")));
/* This thread borrows the shared slot for the current call. */
extern __thread bool host_slot_shared __attribute__((tls_model("initial-exec")));
/*
 * This slot's row of per-CPU data, or host_idle_row (zeros) while the
 * thread holds no slot (see host_cpu_data_init()).
 */
extern __thread void *host_this_row __attribute__((tls_model("initial-exec")));
#define HOST_IDLE_ROW_BYTES	4096
extern char host_idle_row[HOST_IDLE_ROW_BYTES];
unsigned int host_cpu_slot_claim(void);

static inline unsigned int __port_cpu_id_inline(void)
{
	int cpu = host_this_cpu;

	if (__builtin_expect(cpu < 0, 0))
		return host_cpu_slot_claim();
	return (unsigned int)cpu;
}

#define port_cpu_id()		__port_cpu_id_inline()
#define port_irq_save()		(0UL)
#define port_irq_restore(f)	((void)(f))

/* The "physical memory" is a fresh anonymous mapping: zero until used. */
#define PORT_FRESH_MEMORY_ZERO	1

/* Pages the heap no longer uses go back to the system (madvise). */
void host_mem_release(void *va, size_t bytes);
#define port_mem_release(va, bytes)	host_mem_release(va, bytes)

/* Guard pages: mprotect(), and a SIGSEGV handler for kma_guard_fault(). */
int host_guard_protect(void *va, size_t bytes, bool access);
#define port_guard_protect(va, bytes, access)				\
	host_guard_protect(va, bytes, access)
#define PORT_GUARD_PAGES	1

#endif /* KMA_PORT_HOST_H */
