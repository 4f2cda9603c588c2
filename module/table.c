// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - per-socket records, keyed by the socket's address.
 *
 * DOC: socket records
 *
 * The module cannot add fields to struct sock, and sk_user_data belongs to
 * the socket's owner, so what it remembers per socket (when the socket
 * entered its state, when its connection was born, how a timewait socket
 * is counted) lives in one preallocated open-addressing table keyed by the
 * address of the struct sock or inet_timewait_sock. Nothing is allocated
 * and no lock is taken per event:
 *
 * - A slot's key is 0 (never used), 1 (tombstone) or the object address.
 * - Insertion claims the first free slot of the key's probe window with
 *   cmpxchg(); removal zeroes the record and then releases the key as a
 *   tombstone. A lookup scans the window and stops at a never-used slot.
 * - The events of one socket are serialised by the socket's own locking,
 *   so one key is never inserted twice concurrently; the insmod walk runs
 *   under stop_machine() with the hooks disarmed.
 *
 * The probe window is bounded (TCPSTATE_PROBES), so a lookup costs at most
 * that many key compares (eight per cache line) and a full window is an
 * error counted as sk_storage_failed or timewait_table_full, never a stall.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/vmalloc.h>

#include "tcpstate.h"

#define TCPSTATE_PROBES		64
#define TCPSTATE_KEY_FREE	0UL
#define TCPSTATE_KEY_TOMB	1UL

static unsigned long *tcpstate_keys;
static struct tcpstate_rec *tcpstate_recs;
static unsigned int tcpstate_bits;
static DEFINE_PER_CPU(int, tcpstate_used);

/**
 * tcpstate_table_init() - allocate the record table
 * @entries: number of records, rounded up to a power of two
 *
 * Return: 0 or -ENOMEM.
 */
int tcpstate_table_init(unsigned int entries)
{
	unsigned long n;

	n = roundup_pow_of_two(max(entries, 2U * TCPSTATE_PROBES));
	tcpstate_bits = ilog2(n);
	tcpstate_keys = vzalloc(array_size(n, sizeof(*tcpstate_keys)));
	if (!tcpstate_keys)
		return -ENOMEM;
	tcpstate_recs = vzalloc(array_size(n, sizeof(*tcpstate_recs)));
	if (!tcpstate_recs) {
		vfree(tcpstate_keys);
		tcpstate_keys = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * tcpstate_table_exit() - free the record table
 *
 * Only after every hook is unregistered and has finished.
 */
void tcpstate_table_exit(void)
{
	vfree(tcpstate_recs);
	vfree(tcpstate_keys);
	tcpstate_recs = NULL;
	tcpstate_keys = NULL;
}

static unsigned long tcpstate_idx(const void *obj, unsigned int i)
{
	return (hash_ptr(obj, tcpstate_bits) + i) & ((1UL << tcpstate_bits) - 1);
}

/**
 * tcpstate_rec_find() - look up the record of a socket
 * @obj: the struct sock or inet_timewait_sock
 * @kind: TCPSTATE_REC_SK or TCPSTATE_REC_TW
 *
 * Return: the record, or NULL.
 */
struct tcpstate_rec *tcpstate_rec_find(const void *obj, int kind)
{
	unsigned long key = (unsigned long)obj;
	unsigned int i;

	for (i = 0; i < TCPSTATE_PROBES; i++) {
		unsigned long idx = tcpstate_idx(obj, i);
		/* Pairs with the release in tcpstate_rec_delete(). */
		unsigned long k = smp_load_acquire(&tcpstate_keys[idx]);

		if (k == key) {
			struct tcpstate_rec *rec = &tcpstate_recs[idx];

			if (READ_ONCE(rec->kind) == kind &&
			    !(atomic_read(&rec->tw) & TCPSTATE_TW_DEAD))
				return rec;
		}
		if (k == TCPSTATE_KEY_FREE)
			break;
	}
	return NULL;
}

/**
 * tcpstate_rec_insert() - add a zeroed record for a socket
 * @obj: the struct sock or inet_timewait_sock; the caller knows it has none
 * @kind: TCPSTATE_REC_SK or TCPSTATE_REC_TW
 *
 * Return: the record, or NULL when the probe window is full.
 */
struct tcpstate_rec *tcpstate_rec_insert(const void *obj, int kind)
{
	unsigned int i;

	for (i = 0; i < TCPSTATE_PROBES; i++) {
		unsigned long idx = tcpstate_idx(obj, i);
		unsigned long k = READ_ONCE(tcpstate_keys[idx]);

		if (k != TCPSTATE_KEY_FREE && k != TCPSTATE_KEY_TOMB)
			continue;
		if (cmpxchg(&tcpstate_keys[idx], k, (unsigned long)obj) == k) {
			this_cpu_inc(tcpstate_used);
			WRITE_ONCE(tcpstate_recs[idx].kind, kind);
			return &tcpstate_recs[idx];
		}
	}
	return NULL;
}

/**
 * tcpstate_rec_delete() - release a record
 * @rec: a record returned by tcpstate_rec_find() or tcpstate_rec_insert()
 */
void tcpstate_rec_delete(struct tcpstate_rec *rec)
{
	unsigned long idx = rec - tcpstate_recs;

	rec->entered_ns = 0;
	rec->born_ns = 0;
	rec->tn = NULL;
	rec->fw2_node.next = NULL;
	/* A new generation: what still refers to the old owner misses. */
	atomic_set(&rec->tw, (atomic_read(&rec->tw) + TCPSTATE_TW_GEN_ONE) &
			     TCPSTATE_TW_GEN);
	WRITE_ONCE(rec->kind, 0);
	/* The zeroed record is visible before the slot can be claimed. */
	smp_store_release(&tcpstate_keys[idx], TCPSTATE_KEY_TOMB);
	this_cpu_dec(tcpstate_used);
}

/**
 * tcpstate_rec_key() - the socket a record belongs to
 * @rec: a record
 *
 * Return: the address of the struct sock or inet_timewait_sock.
 */
const void *tcpstate_rec_key(const struct tcpstate_rec *rec)
{
	return (const void *)READ_ONCE(tcpstate_keys[rec - tcpstate_recs]);
}

/**
 * tcpstate_table_used() - number of records in use
 *
 * Return: the count, for the Table line of /proc/net/tcpstate.
 */
unsigned int tcpstate_table_used(void)
{
	int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += per_cpu(tcpstate_used, cpu);
	return max(n, 0);
}

/**
 * tcpstate_table_for_each() - call a function for every record in use
 * @fn: the function, given each record and @data
 * @data: passed to @fn
 *
 * Only under stop_machine() (check.c): nothing else inserts or releases
 * records meanwhile. O(table size).
 */
void tcpstate_table_for_each(void (*fn)(struct tcpstate_rec *rec, void *data),
			     void *data)
{
	unsigned long idx, n = 1UL << tcpstate_bits;

	for (idx = 0; idx < n; idx++) {
		unsigned long k = READ_ONCE(tcpstate_keys[idx]);

		if (k != TCPSTATE_KEY_FREE && k != TCPSTATE_KEY_TOMB)
			fn(&tcpstate_recs[idx], data);
	}
}
