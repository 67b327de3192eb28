/*
 * queue.c - bounded blocking queue; see queue.h.
 */
#include "queue.h"

#include <stdlib.h>

#include "msg.h"

void queue_init(struct queue *q, size_t cap)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->changed, NULL);
	q->items = xcalloc(cap, sizeof(*q->items));
	q->cap = cap;
	q->head = 0;
	q->count = 0;
}

void queue_release(struct queue *q)
{
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->changed);
	free(q->items);
	q->items = NULL;
}

void queue_push(struct queue *q, void *p)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap)
		pthread_cond_wait(&q->changed, &q->lock);
	q->items[(q->head + q->count) % q->cap] = p;
	q->count++;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

void *queue_pop(struct queue *q)
{
	void *p;

	pthread_mutex_lock(&q->lock);
	while (q->count == 0)
		pthread_cond_wait(&q->changed, &q->lock);
	p = q->items[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return p;
}

size_t queue_count(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
