/*
 * ytree.c - JSON document accessors; see ytree.h.
 */
#include "ytree.h"

yajl_val ytree_get(yajl_val v, const char *key, yajl_type t)
{
	const char *path[] = { key, NULL };

	return v ? yajl_tree_get(v, path, t) : NULL;
}

const char *ytree_str(yajl_val v, const char *key)
{
	yajl_val s = ytree_get(v, key, yajl_t_string);

	return s ? YAJL_GET_STRING(s) : NULL;
}

long long ytree_num(yajl_val v, const char *key)
{
	yajl_val n = ytree_get(v, key, yajl_t_number);

	return n && YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : 0;
}

int ytree_true(yajl_val v, const char *key)
{
	return ytree_get(v, key, yajl_t_true) != NULL;
}

size_t ytree_len(yajl_val arr)
{
	return arr && YAJL_IS_ARRAY(arr) ? arr->u.array.len : 0;
}

yajl_val ytree_item(yajl_val arr, size_t i)
{
	return arr->u.array.values[i];
}
