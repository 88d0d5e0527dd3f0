/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmdemo: debug-only ioctls. NOT part of the ABI of <linux/svmdemo.h>.
 *
 * They exist so that the selftests can hand the device descriptors and
 * queue configurations that the driver itself never produces (unknown
 * opcodes, reserved bits, overflowing lengths, ring pointers into
 * garbage) and check that the device completes them with an error status
 * and keeps running. They are refused with -ENOTTY unless the module
 * parameter debug is 1 (/sys/module/svmdemo/parameters/debug, root only).
 *
 * Both borrow one hardware queue for the duration of the call: the queue
 * must be idle (-EBUSY otherwise), jobs submitted to it meanwhile fail
 * with -ENODEV, and afterwards it is reset and runs the driver's rings
 * again. Isolation holds on this path too: a descriptor with PASID_VALID
 * always runs under the caller's PASID, unless its PASID is one the device
 * must refuse (0, or too wide for the device), and a descriptor without
 * PASID_VALID never moves data (its length is forced to 0 unless the
 * device must refuse the length anyway).
 */
#ifndef _UAPI_LINUX_SVMDEMO_DEBUG_H
#define _UAPI_LINUX_SVMDEMO_DEBUG_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Largest &svmdemo_dbg_raw.count. */
#define SVMDEMO_DBG_MAX_DESCS	32

/**
 * struct svmdemo_dbg_desc - one raw device descriptor and its completion
 * @pasid: descriptor pasid field (bits 19:0 PASID, 30:20 reserved, 31 valid).
 * @opcode: device opcode, any value.
 * @rsvd0: reserved byte, any value.
 * @flags: descriptor flags, any value.
 * @src: source address.
 * @dst: destination address.
 * @len: length.
 * @operand: operand.
 * @cookie: cookie.
 * @cr_addr: user completion record address.
 * @rsvd1: reserved quadword, any value.
 * @status: output: completion record status word (DONE is bit 31).
 * @bytes_done: output: completion record bytes_done.
 * @result: output: completion record result.
 * @fault_addr: output: completion record fault_addr.
 * @cookie_out: output: completion record cookie.
 * @pasid_used: output: the pasid field as posted to the device.
 * @__pad: zero.
 */
struct svmdemo_dbg_desc {
	__u32 pasid;
	__u8 opcode;
	__u8 rsvd0;
	__u16 flags;
	__u64 src;
	__u64 dst;
	__u64 len;
	__u64 operand;
	__u64 cookie;
	__u64 cr_addr;
	__u64 rsvd1;
	/* output */
	__u32 status;
	__u32 bytes_done;
	__u64 result;
	__u64 fault_addr;
	__u64 cookie_out;
	__u32 pasid_used;
	__u32 __pad;
};

/**
 * struct svmdemo_dbg_raw - SVMDEMO_DBG_IOC_RAW: run raw descriptors
 * @descs: user pointer to @count struct svmdemo_dbg_desc.
 * @count: 1 .. SVMDEMO_DBG_MAX_DESCS.
 * @queue: hardware queue to borrow.
 * @timeout_ms: how long to wait for the device; 0 selects 10000.
 * @completed: output: descriptors the device completed.
 */
struct svmdemo_dbg_raw {
	__u64 descs;
	__u32 count;
	__u32 queue;
	__u32 timeout_ms;
	__u32 completed;
};

/**
 * enum svmdemo_dbg_ring_mode - what SVMDEMO_DBG_IOC_RING does to a queue
 * @SVMDEMO_DBG_RING_BAD_SIZE: ENABLE with a ring size of 3 (BAD_CONFIG).
 * @SVMDEMO_DBG_RING_MISALIGNED: ENABLE with a misaligned descriptor ring
 *	(BAD_CONFIG).
 * @SVMDEMO_DBG_RING_DESC_UNMAPPED: descriptor ring at an IOVA that is not
 *	mapped, one descriptor posted (DESC_FETCH).
 * @SVMDEMO_DBG_RING_DESC_WIDE: descriptor ring beyond the IOMMU's address
 *	width (DESC_FETCH).
 * @SVMDEMO_DBG_RING_CMPL_UNMAPPED: completion ring at an IOVA that is not
 *	mapped, one NOOP posted (CMPL_WRITE).
 * @SVMDEMO_DBG_RING_BAD_TAIL: doorbell with a tail beyond the ring
 *	(BAD_TAIL).
 * @SVMDEMO_DBG_RING_DOORBELL_DISABLED: doorbell on a disabled queue
 *	(ERR_CAUSE.DOORBELL_DISABLED, the queue does not halt).
 * @SVMDEMO_DBG_RING_NR: number of modes; not a mode.
 */
enum svmdemo_dbg_ring_mode {
	SVMDEMO_DBG_RING_BAD_SIZE = 1,
	SVMDEMO_DBG_RING_MISALIGNED,
	SVMDEMO_DBG_RING_DESC_UNMAPPED,
	SVMDEMO_DBG_RING_DESC_WIDE,
	SVMDEMO_DBG_RING_CMPL_UNMAPPED,
	SVMDEMO_DBG_RING_BAD_TAIL,
	SVMDEMO_DBG_RING_DOORBELL_DISABLED,
	SVMDEMO_DBG_RING_NR
};

/**
 * struct svmdemo_dbg_ring - SVMDEMO_DBG_IOC_RING: misprogram a queue
 * @queue: hardware queue to borrow.
 * @mode: enum svmdemo_dbg_ring_mode.
 * @q_status: output: Q_STATUS once the device reacted (ERR_CODE in 15:8).
 * @err_cause: output: ERR_CAUSE then.
 * @err_queue: output: ERR_QUEUE then.
 * @__pad: zero.
 */
struct svmdemo_dbg_ring {
	__u32 queue;
	__u32 mode;
	__u32 q_status;
	__u32 err_cause;
	__u32 err_queue;
	__u32 __pad;
};

/* Outside the numbers <linux/svmdemo.h> uses (0x00-0x7f). */
#define SVMDEMO_DBG_IOC_RAW	_IOWR(0xE5, 0xD0, struct svmdemo_dbg_raw)
#define SVMDEMO_DBG_IOC_RING	_IOWR(0xE5, 0xD1, struct svmdemo_dbg_ring)

#endif /* _UAPI_LINUX_SVMDEMO_DEBUG_H */
