#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The guest kernel as an uncompressed ELF that QEMU boots through its PVH
entry point, which skips the bzImage's decompressor: under TCG that stub
takes about 3 s of every boot (docs/performance.md).

  pvh-kernel.py KERNEL CACHE_DIR

KERNEL is a bzImage (or already an ELF vmlinux). Prints the ELF's path:
KERNEL itself, or vmlinux-<hash> in CACHE_DIR, extracted once per kernel
image. Exits 1, saying why on stderr, when the kernel has no PVH entry
(CONFIG_PVH unset) or its payload is in a format this script does not
unpack (lz4, lzo); the caller then boots KERNEL as it is.
"""
import bz2
import hashlib
import lzma
import os
import struct
import subprocess
import sys
import zlib

XEN_ELFNOTE_PHYS32_ENTRY = 18
KEEP = 4  # extracted kernels kept in CACHE_DIR


class NotBootable(Exception):
    pass


def has_pvh_note(elf):
    """True if the ELF64 image has the Xen PHYS32_ENTRY note."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        ptype, = struct.unpack_from("<I", elf, phoff + i * phentsize)
        if ptype != 4:  # PT_NOTE
            continue
        off, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 0x08)
        size, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 0x20)
        pos, end = off, off + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def payload(image):
    """The compressed vmlinux inside a bzImage (boot protocol 2.08+)."""
    if image[0x202:0x206] != b"HdrS":
        raise NotBootable("not a bzImage")
    version, = struct.unpack_from("<H", image, 0x206)
    if version < 0x208:
        raise NotBootable("boot protocol %#x has no payload fields" % version)
    setup_sects = image[0x1f1] or 4
    offset, length = struct.unpack_from("<II", image, 0x248)
    start = (setup_sects + 1) * 512 + offset
    return image[start:start + length]


def unzstd(data):
    # The kernel's build appends the uncompressed size (4 bytes), which
    # the zstd tool takes for a broken frame.
    for blob in (data[:-4], data):
        r = subprocess.run(["zstd", "-dcq", "--long=31"], input=blob,
                           capture_output=True, check=False)
        if r.returncode == 0:
            return r.stdout
    raise NotBootable("zstd could not unpack the payload")


def decompress(data):
    """Decompress the payload by its magic number; trailing bytes (the
    size the kernel's build appends) are ignored."""
    if data[:2] == b"\x1f\x8b":
        return zlib.decompressobj(wbits=31).decompress(data)
    if data[:6] == b"\xfd7zXZ\0":
        return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data)
    if data[:3] == b"\x5d\0\0":
        return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data)
    if data[:3] == b"BZh":
        return bz2.BZ2Decompressor().decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return unzstd(data)
    raise NotBootable("payload compressed with magic %s (lz4, lzo?)"
                      % data[:4].hex())


def prune(cache_dir):
    """Keep the KEEP most recently used extracted kernels."""
    names = [os.path.join(cache_dir, n) for n in os.listdir(cache_dir)
             if n.startswith("vmlinux-") and not n.endswith(".tmp")]
    names.sort(key=os.path.getmtime, reverse=True)
    for old in names[KEEP:]:
        os.unlink(old)


def pvh_kernel(kernel, cache_dir):
    with open(kernel, "rb") as f:
        image = f.read()
    if image[:4] == b"\x7fELF":
        if not has_pvh_note(image):
            raise NotBootable("ELF without a PVH entry note")
        return kernel
    out = os.path.join(cache_dir, "vmlinux-"
                       + hashlib.sha256(image).hexdigest()[:16])
    if os.path.exists(out):
        os.utime(out)
        return out
    elf = decompress(payload(image))
    if not has_pvh_note(elf):
        raise NotBootable("no PVH entry (CONFIG_PVH is not set)")
    os.makedirs(cache_dir, exist_ok=True)
    tmp = "%s.%d.tmp" % (out, os.getpid())
    with open(tmp, "wb") as f:
        f.write(elf)
    os.replace(tmp, out)
    prune(cache_dir)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pvh-kernel.py KERNEL CACHE_DIR")
    try:
        print(pvh_kernel(sys.argv[1], sys.argv[2]))
    except (NotBootable, OSError, EOFError, lzma.LZMAError, zlib.error,
            struct.error) as e:
        print("pvh-kernel: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
