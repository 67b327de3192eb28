/*
 * cmd_rules.c - `trailsift rules`: the rules, their ids and severities.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "msg.h"
#include "rules.h"

static const char help[] =
	"usage: trailsift rules [--verbose]\n"
	"\n"
	"Lists the rules `scan` runs: id, usual severity and title; with --verbose also\n"
	"what each flags and what to do about it.\n"
	"\n"
	"Options:\n"
	"  -v, --verbose   descriptions and advice\n"
	"  -h, --help      this help\n";

int cmd_rules(int argc, char **argv, struct ctx *ctx)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, verbose = 0;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v': verbose = 1; break;
		case 'h': return print_help(help);
		default: return usage_error("rules", "unknown option");
		}
	}
	if (optind != argc)
		return usage_error("rules", "unexpected argument '%s'", argv[optind]);
	for (int i = 0; rules[i]; i++) {
		printf("%-26s %-8s %s\n", rules[i]->id, severity_name(rules[i]->severity), rules[i]->title);
		if (verbose)
			printf("\n    %s\n\n    What to do: %s\n\n", rules[i]->description, rules[i]->advice);
	}
	return EXIT_OK;
}
