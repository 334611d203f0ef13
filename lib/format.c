// SPDX-License-Identifier: MIT
/*
 * format.c - a small freestanding printf for mm/, boot/ and the kernels.
 *
 * Owns: mm_vsnprintf(), mm_snprintf(), mm_printf(). No state, no locks;
 * mm_printf() formats into a buffer on the stack and hands it to
 * port_print() in one call, so concurrent lines do not interleave more
 * than the console does.
 */
#include <kma/port.h>
#include <kma/mm_report.h>
#include <kma/div64.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		fmt_putc(o, c);
}

static void fmt_str(struct fmt_out *o, const char *s, int width, bool left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	if (!left)
		fmt_pad(o, ' ', width - n);
	while (*s)
		fmt_putc(o, *s++);
	if (left)
		fmt_pad(o, ' ', width - n);
}

static void fmt_num(struct fmt_out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, int width, bool zero,
		    bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		uint64_t r;

		v = kma_div64(v, base, &r);
		tmp[n++] = digits[r];
	} while (v);
	len = n + (neg ? 1 : 0);
	if (!left && !zero)
		fmt_pad(o, ' ', width - len);
	if (neg)
		fmt_putc(o, '-');
	if (!left && zero)
		fmt_pad(o, '0', width - len);
	while (n)
		fmt_putc(o, tmp[--n]);
	if (left)
		fmt_pad(o, ' ', width - len);
}

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false;
		int width = 0, lng = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			fmt_putc(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		if (*fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng >= 2 ? va_arg(ap, long long) :
			    lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
			fmt_num(&o, u, s < 0, 10, false, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long) :
			    lng == 1 ? va_arg(ap, unsigned long) :
				       va_arg(ap, unsigned int);
			fmt_num(&o, u, false, *fmt == 'u' ? 10 : 16,
				*fmt == 'X', width, zero, left);
			break;
		case 'p':
			fmt_putc(&o, '0');
			fmt_putc(&o, 'x');
			fmt_num(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				false, width, zero, left);
			break;
		case 's':
			fmt_str(&o, va_arg(ap, const char *), width, left);
			break;
		case 'c':
			fmt_putc(&o, (char)va_arg(ap, int));
			break;
		case '%':
			fmt_putc(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			fmt_putc(&o, '%');
			fmt_putc(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = mm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void mm_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = mm_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	port_print(buf, (size_t)n);
}
