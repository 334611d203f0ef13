#!/bin/sh
# SPDX-License-Identifier: MIT
#
# mkiso.sh - a BIOS-bootable CD image that boots the x86-64 kernel
# through GRUB's multiboot2 loader.
#
#   tools/mkiso.sh KERNEL OUT.iso [kernel command line...]
#
# The image holds /boot/kernel.elf and /boot/grub/grub.cfg (one entry,
# timeout 0, "multiboot2 /boot/kernel.elf CMDLINE"); grub-mkrescue
# (grub-pc-bin, xorriso, mtools) writes it. Exits non-zero if any step
# fails.
set -eu

kernel=${1:?usage: mkiso.sh KERNEL OUT.iso [cmdline...]}
out=${2:?usage: mkiso.sh KERNEL OUT.iso [cmdline...]}
shift 2
cmdline="$*"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tree=$dir/tree
mkdir -p "$tree/boot/grub"
cp "$kernel" "$tree/boot/kernel.elf"
cat >"$tree/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "kma" {
	multiboot2 /boot/kernel.elf $cmdline
	boot
}
CFG
mkdir -p "$(dirname "$out")"
if ! grub-mkrescue -o "$out.tmp" "$tree" >"$dir/log" 2>&1; then
	cat "$dir/log" >&2
	rm -f "$out.tmp"
	exit 1
fi
mv "$out.tmp" "$out"
