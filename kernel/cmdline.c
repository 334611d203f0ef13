// SPDX-License-Identifier: MIT
/*
 * cmdline.c - the kernel command line, parsed in the Linux manner:
 * space-separated "key" or "key=value" words; a value may be quoted
 * ("key=\"a b\""); the last occurrence of a key wins.
 *
 * Owns: a private copy of the line, split into NUL-terminated words at
 * the first call. Written once on the boot CPU before other CPUs start,
 * read-only afterwards, so no lock.
 */
#include "kernel.h"

#define CMDLINE_MAX	1024
#define CMDLINE_WORDS	64

static char cmd_buf[CMDLINE_MAX];
static char *cmd_words[CMDLINE_WORDS];
static unsigned int cmd_nr;
static int cmd_parsed;

/* Split the arch's line into words, removing quotes. */
static void cmdline_parse(void)
{
	const char *s = arch_cmdline();
	char *d = cmd_buf, *end = cmd_buf + CMDLINE_MAX - 1;
	int quoted = 0;

	cmd_parsed = 1;
	while (*s && cmd_nr < CMDLINE_WORDS) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s || d >= end)
			break;
		cmd_words[cmd_nr++] = d;
		while (*s && d < end && (quoted || (*s != ' ' && *s != '\t' &&
						    *s != '\n'))) {
			if (*s == '"')
				quoted = !quoted;
			else
				*d++ = *s;
			s++;
		}
		*d++ = '\0';
	}
	*d = '\0';
}

/* Return the word's value if it is @key or key=value, else NULL. */
static const char *cmdline_match(const char *w, const char *key)
{
	while (*key && *w == *key) {
		w++;
		key++;
	}
	if (*key)
		return NULL;
	if (*w == '=')
		return w + 1;
	return *w ? NULL : w;
}

const char *cmdline_get(const char *key)
{
	const char *v, *found = NULL;
	unsigned int i;

	if (!cmd_parsed)
		cmdline_parse();
	for (i = 0; i < cmd_nr; i++) {
		v = cmdline_match(cmd_words[i], key);
		if (v)
			found = v;
	}
	return found;
}

uint64_t cmdline_get_u64(const char *key, uint64_t def)
{
	const char *v = cmdline_get(key);
	uint64_t n = 0, base = 10;

	if (!v || !*v)
		return def;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	for (; *v; v++) {
		unsigned int dgt;

		if (*v >= '0' && *v <= '9')
			dgt = (unsigned int)(*v - '0');
		else if (base == 16 && *v >= 'a' && *v <= 'f')
			dgt = (unsigned int)(*v - 'a' + 10);
		else if (base == 16 && *v >= 'A' && *v <= 'F')
			dgt = (unsigned int)(*v - 'A' + 10);
		else
			break;
		n = n * base + dgt;
	}
	switch (*v) {
	case 'K': case 'k': n <<= 10; v++; break;
	case 'M': case 'm': n <<= 20; v++; break;
	case 'G': case 'g': n <<= 30; v++; break;
	default: break;
	}
	return *v ? def : n;
}
