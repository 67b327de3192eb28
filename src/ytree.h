/*
 * ytree.h - reading members of a parsed JSON document (yajl_tree).
 *
 * The report and the timeline are rendered from JSON documents; these are
 * the few accessors both need, each NULL-safe so that a missing member
 * reads as absent rather than crashing a renderer.
 */
#ifndef TRAILSIFT_YTREE_H
#define TRAILSIFT_YTREE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

/* Member key of object v if it has type t, else NULL (v may be NULL). */
yajl_val ytree_get(yajl_val v, const char *key, yajl_type t);

/* Member key as a string, or NULL. */
const char *ytree_str(yajl_val v, const char *key);

/* Member key as an integer, or 0. */
long long ytree_num(yajl_val v, const char *key);

/* Whether member key is true. */
int ytree_true(yajl_val v, const char *key);

/* Elements of an array (0 when arr is NULL or no array). */
size_t ytree_len(yajl_val arr);

/* Element i of an array that has more than i elements. */
yajl_val ytree_item(yajl_val arr, size_t i);

#endif
