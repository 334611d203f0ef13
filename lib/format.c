// SPDX-License-Identifier: MIT
/*
 * format.c - a small freestanding printf for mm/, boot/ and the kernels.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with the flags '-', '0' and
 * '#' (0x before a non-zero %x), a width and a precision (digits, or '*'
 * from the arguments), and the sizes l, ll and z. Numbers of 64 bits are
 * converted without a 64-bit division on 32-bit targets (kma_div64()).
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

static void fmt_pad_str(struct fmt_out *o, const char *s, int n)
{
	while (n-- > 0)
		fmt_putc(o, *s++);
}

/* @s, at most @prec bytes of it if @prec >= 0, padded to @width. */
static void fmt_str(struct fmt_out *o, const char *s, int width, int prec,
		    bool left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while ((prec < 0 || n < prec) && s[n])
		n++;
	if (!left)
		fmt_pad(o, ' ', width - n);
	fmt_pad_str(o, s, n);
	if (left)
		fmt_pad(o, ' ', width - n);
}

/*
 * @v in @base with at least @prec digits (C's precision; -1: none, and a
 * zero value still prints "0"), after a '-' if @neg and after "0x"/"0X"
 * if @alt and @v is not 0 (the '#' flag), padded to @width with spaces,
 * or zeros after the sign and prefix if @zero (ignored with a precision).
 */
static void fmt_num(struct fmt_out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, bool alt, int width,
		    int prec, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len, nz;
	bool prefix = alt && base == 16 && v;

	do {
		uint64_t r;

		v = kma_div64(v, base, &r);
		tmp[n++] = digits[r];
	} while (v);
	if (prec >= 0)
		zero = false;
	nz = prec > n ? prec - n : 0;
	len = n + nz + (neg ? 1 : 0) + (prefix ? 2 : 0);
	if (zero && !left)
		nz += width > len ? width - len : 0;
	else if (!left)
		fmt_pad(o, ' ', width - len);
	if (neg)
		fmt_putc(o, '-');
	if (prefix) {
		fmt_putc(o, '0');
		fmt_putc(o, upper ? 'X' : 'x');
	}
	fmt_pad(o, '0', nz);
	while (n)
		fmt_putc(o, tmp[--n]);
	if (left)
		fmt_pad(o, ' ', width - len);
}

int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1, lng = 0;
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
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			if (*++fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
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
			fmt_num(&o, u, s < 0, 10, false, false, width, prec,
				zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long) :
			    lng == 1 ? va_arg(ap, unsigned long) :
				       va_arg(ap, unsigned int);
			fmt_num(&o, u, false, *fmt == 'u' ? 10 : 16,
				*fmt == 'X', alt, width, prec, zero, left);
			break;
		case 'p':
			fmt_putc(&o, '0');
			fmt_putc(&o, 'x');
			fmt_num(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				false, false, width, -1, zero, left);
			break;
		case 's':
			fmt_str(&o, va_arg(ap, const char *), width, prec,
				left);
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
