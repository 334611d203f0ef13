// SPDX-License-Identifier: MIT
/*
 * lib-init-order.c - built by tools/lib-check.sh against the installed
 * host library and headers only: a port in a process (a 64 MiB mapping as
 * "physical" memory) that counts port_cpu_id() calls made before its
 * per-CPU setup. mm_init() may run before a kernel sets up its per-CPU
 * data, so it must not ask for the CPU id; the first allocation may.
 */
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include <kma/port.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define MEM	(64UL << 20)
#define PBASE	0x100000000ULL
static int percpu_ready, early;
static char *mem;
__thread unsigned int host_lock_depth;
void host_lock_wait(uint32_t *w, uint32_t v);
void host_lock_wake(uint32_t *w);
void host_lock_wait(uint32_t *w, uint32_t v) { (void)w; (void)v; }
void host_lock_wake(uint32_t *w) { (void)w; }
unsigned int port_cpu_id(void) { if (!percpu_ready) early++; return 0; }
unsigned int port_cpu_count(void) { return 1; }
unsigned long port_irq_save(void) { return 0; }
void port_irq_restore(unsigned long f) { (void)f; }
void *port_phys_to_virt(phys_addr_t pa) { return mem + (pa - PBASE); }
phys_addr_t port_virt_to_phys(const void *va) { return PBASE + (uint64_t)((const char *)va - mem); }
void port_print(const char *s, size_t len) { fwrite(s, 1, len, stdout); }
void port_panic(const char *msg) { printf("panic: %s\n", msg); exit(3); }
void port_report(const struct mm_report *r) { (void)r; printf("report\n"); exit(4); }
void port_cpu_kick(unsigned int cpu) { (void)cpu; }

int main(void)
{
	static struct memmap_region tab[8];
	struct memmap m;
	char *raw = mmap(NULL, MEM + (4UL << 20), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p;

	if (raw == MAP_FAILED)
		return 5;
	mem = (char *)(((uintptr_t)raw + (4UL << 20) - 1) & ~((4UL << 20) - 1));
	memmap_init(&m, tab, 8);
	memmap_add(&m, PBASE, MEM, MEMMAP_USABLE);
	if (memmap_sanitize(&m) || mm_init(&m))
		return 2;
	printf("port_cpu_id() calls during mm_init(): %d\n", early);
	percpu_ready = 1;
	p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	frame_free(frame_alloc(0), 0);
	return p && !early ? 0 : 1;
}
