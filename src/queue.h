/*
 * queue.h - a bounded blocking queue of pointers between two threads.
 *
 * The ingest pipeline hands parsed rows from the parsing thread to the
 * SQLite writer through one of these, and empty row sets back through
 * another; the bound is what keeps memory flat however large the input.
 */
#ifndef TRAILSIFT_QUEUE_H
#define TRAILSIFT_QUEUE_H

#include <pthread.h>
#include <stddef.h>

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;  /* signalled on every push and pop */
	void **items;            /* ring of cap slots */
	size_t cap, head, count;
};

/* Makes an empty queue of at most cap items. */
void queue_init(struct queue *q, size_t cap);

/* Frees the ring (not the items, which the caller owns). */
void queue_release(struct queue *q);

/* Appends p, waiting while the queue is full. */
void queue_push(struct queue *q, void *p);

/* Removes and returns the oldest item, waiting while the queue is empty. */
void *queue_pop(struct queue *q);

/* Items waiting now (a snapshot). */
size_t queue_count(struct queue *q);

#endif
