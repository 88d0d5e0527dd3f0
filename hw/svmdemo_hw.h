/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * svmdemo_hw.h: the hardware interface of the svmdemo PCIe device, in one
 * place. The QEMU device model, the Linux driver, the selftests and the
 * qtests all include this header; docs/device.md says what the registers
 * and fields mean, this header says where they are.
 *
 * Fixed-width types only, no kernel or QEMU macros: it builds in the
 * kernel (__KERNEL__), in QEMU and in user space alike. Everything in
 * memory is little-endian; the svmdemo_le* types are the kernel's
 * __le types in the kernel (for sparse) and plain integers elsewhere.
 * The kernel's checkpatch is run on it without PREFER_KERNEL_TYPES: the
 * user-space half of the typedefs below has no kernel types.
 */
#ifndef SVMDEMO_HW_H
#define SVMDEMO_HW_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
typedef u8 svmdemo_u8;
typedef u64 svmdemo_u64;
typedef __le16 svmdemo_le16;
typedef __le32 svmdemo_le32;
typedef __le64 svmdemo_le64;
#else
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t svmdemo_u8;
typedef uint64_t svmdemo_u64;
typedef uint16_t svmdemo_le16;
typedef uint32_t svmdemo_le32;
typedef uint64_t svmdemo_le64;
#endif

#define SVMDEMO_B(n)			(1U << (n))
#define SVMDEMO_B64(n)			(1ULL << (n))

/* ---- 1. PCI identity and configuration space ---- */

#define SVMDEMO_PCI_VENDOR_ID		0x1234
#define SVMDEMO_PCI_DEVICE_ID		0x0b11
#define SVMDEMO_PCI_REVISION		0x01
#define SVMDEMO_PCI_CLASS		0x1200	/* processing accelerator */
#define SVMDEMO_REG_BAR			0	/* BAR0: registers */
#define SVMDEMO_BAR0_SIZE		0x1000
#define SVMDEMO_MSIX_BAR		2	/* BAR2: MSI-X table + PBA */

#define SVMDEMO_CFG_MSI			0x50
#define SVMDEMO_CFG_EXP			0x80
#define SVMDEMO_CFG_ATS			0x100
#define SVMDEMO_CFG_PASID		0x110
#define SVMDEMO_CFG_PRI			0x120

/* ---- 3. Compatible block (BAR0 0x00-0x57) ---- */

#define SVMDEMO_COMPAT_CMD		0x00	/* W64 */
#define  SVMDEMO_COMPAT_CMD_WRITE	1
#define  SVMDEMO_COMPAT_CMD_READ	2
#define SVMDEMO_COMPAT_ID		0x00	/* R64 */
#define  SVMDEMO_COMPAT_ID_VALUE	0x0b1c5111
#define SVMDEMO_COMPAT_ADDR		0x08	/* W64 */
#define SVMDEMO_COMPAT_STATUS		0x08	/* R64: SVMDEMO_STS_* */
#define  SVMDEMO_COMPAT_STATUS_BUSY	0x80
#define SVMDEMO_COMPAT_CRC		0x10	/* W64, bits 7:0 */
#define SVMDEMO_COMPAT_SIZE		0x18	/* W64 */
#define SVMDEMO_COMPAT_OPT		0x20	/* W64 */
#define  SVMDEMO_COMPAT_OPT_PRIV	SVMDEMO_B64(0)
#define SVMDEMO_COMPAT_REG64_END	0x28	/* 64-bit registers below */
#define SVMDEMO_COMPAT_PASID		0x50	/* W32 */
#define  SVMDEMO_COMPAT_PASID_MASK	0x000fffffU
#define  SVMDEMO_COMPAT_PASID_DISABLE	SVMDEMO_B(20)
#define SVMDEMO_COMPAT_END		0x58

/* ---- 4. Global registers ---- */

#define SVMDEMO_VERSION			0x100	/* RO32 */
#define  SVMDEMO_VERSION_MAJOR		0xffff0000U
#define  SVMDEMO_VERSION_MINOR		0x0000ffffU
#define  SVMDEMO_VERSION_1_0		0x00010000U
#define SVMDEMO_CAPS			0x104	/* RO32 */
#define  SVMDEMO_CAPS_ATS		SVMDEMO_B(0)
#define  SVMDEMO_CAPS_PASID		SVMDEMO_B(1)
#define  SVMDEMO_CAPS_PRI		SVMDEMO_B(2)
#define  SVMDEMO_CAPS_MSIX		SVMDEMO_B(3)
#define  SVMDEMO_CAPS_UNTRANSLATED	SVMDEMO_B(4)
#define  SVMDEMO_CAPS_CR_USER		SVMDEMO_B(5)
#define  SVMDEMO_CAPS_FENCE		SVMDEMO_B(6)
#define SVMDEMO_NUM_QUEUES		0x108	/* RO32 */
#define  SVMDEMO_MAX_QUEUES		16
#define SVMDEMO_RING_SIZE_MAX		0x10c	/* RO32, entries */
#define  SVMDEMO_RING_SIZE_MIN		2
#define  SVMDEMO_RING_SIZE_LIMIT	32768
#define SVMDEMO_ATC_ENTRIES		0x110	/* RO32 */
#define SVMDEMO_PRI_CAPACITY		0x114	/* RO32 */
#define SVMDEMO_PASID_WIDTH		0x118	/* RO32, bits */
#define SVMDEMO_OPCODES			0x11c	/* RO32, bit (1 << opcode) */
#define SVMDEMO_MAX_XFER		0x120	/* RO32, bytes */
#define  SVMDEMO_MAX_XFER_BYTES		SVMDEMO_B(30)
#define SVMDEMO_PRI_TIMEOUT		0x124	/* RO32, ms */
#define SVMDEMO_CTRL			0x128	/* WO32 */
#define  SVMDEMO_CTRL_CLEAR_COUNTERS	SVMDEMO_B(0)
#define  SVMDEMO_CTRL_FLUSH_ATC		SVMDEMO_B(1)
#define SVMDEMO_INTR_STATUS		0x130	/* RW1C32 */
#define  SVMDEMO_INTR_QUEUE(q)		SVMDEMO_B(q)
#define  SVMDEMO_INTR_QUEUE_MASK	0x0000ffffU
#define  SVMDEMO_INTR_COMPAT_DONE	SVMDEMO_B(30)
#define  SVMDEMO_INTR_ERROR		SVMDEMO_B(31)	/* RO: ERR_CAUSE != 0 */
#define SVMDEMO_ERR_CAUSE		0x134	/* RW1C32 */
#define  SVMDEMO_ERR_QUEUE_ERROR	SVMDEMO_B(0)
#define  SVMDEMO_ERR_DOORBELL_DISABLED	SVMDEMO_B(1)
#define  SVMDEMO_ERR_COMPAT_BUSY	SVMDEMO_B(2)
#define  SVMDEMO_ERR_CAUSE_MASK		0x7U
#define SVMDEMO_ERR_QUEUE		0x138	/* RO32, bit q = halted */
#define SVMDEMO_PASID_FLUSH		0x140	/* RW32 */
#define  SVMDEMO_PASID_FLUSH_PASID	0x000fffffU
#define  SVMDEMO_PASID_FLUSH_BUSY	SVMDEMO_B(31)
#define SVMDEMO_GLOBAL_END		0x200

/* ---- 5. Counters: 64-bit, RO ---- */

enum svmdemo_counter {
	SVMDEMO_CNT_JOBS,
	SVMDEMO_CNT_BYTES,
	SVMDEMO_CNT_ATS_REQ,
	SVMDEMO_CNT_ATC_HIT,
	SVMDEMO_CNT_ATC_MISS,
	SVMDEMO_CNT_PRI_REQ,
	SVMDEMO_CNT_PRI_GROUP,
	SVMDEMO_CNT_PRI_FAIL,
	SVMDEMO_CNT_INVAL,
	SVMDEMO_CNT_ERRORS,
	SVMDEMO_CNT_ATC_INVAL,
	SVMDEMO_CNT_PRI_TIMEOUT,
	SVMDEMO_CNT_PRI_OVERFLOW,
	SVMDEMO_CNT_NR,
};

#define SVMDEMO_CNT_BASE		0x200
#define SVMDEMO_CNT(c)			(SVMDEMO_CNT_BASE + 8 * (c))
#define SVMDEMO_CNT_STATUS_BASE		0x280
#define SVMDEMO_CNT_STATUS(s)		(SVMDEMO_CNT_STATUS_BASE + 8 * (s))
#define SVMDEMO_CNT_STATUS_NR		16
#define SVMDEMO_CNT_END			0x300

/*
 * 5.1 Latency histograms: 64-bit, RO, cleared with the counters. Bucket b
 * of histogram h counts the times t (microseconds) with
 * svmdemo_hist_bucket(t) == b: 4 buckets per power of two, the last one
 * open-ended (about 65 ms and more).
 */
enum svmdemo_hist {
	SVMDEMO_HIST_PRI,	/* a page group: first request to response */
	SVMDEMO_HIST_ATS,	/* an ATS translation request and its answer */
	SVMDEMO_HIST_NR,
};

#define SVMDEMO_HIST_BUCKETS		64
#define SVMDEMO_HIST_BASE		0x800
#define SVMDEMO_HIST(h, b)		(SVMDEMO_HIST_BASE + \
					 8 * ((h) * SVMDEMO_HIST_BUCKETS + (b)))
#define SVMDEMO_HIST_END		0xc00

static_assert(SVMDEMO_HIST(SVMDEMO_HIST_NR, 0) <= SVMDEMO_HIST_END,
	      "histograms fit");

static inline unsigned int svmdemo_hist_bucket(svmdemo_u64 us)
{
	unsigned int e = 63 - __builtin_clzll(us | 1);

	return us < 4 ? (unsigned int)us :
	       e > 16 ? SVMDEMO_HIST_BUCKETS - 1 :
	       4 * (e - 1) + ((us >> (e - 2)) & 3);
}

/* The largest time bucket @b counts (all ones for the last). */
static inline svmdemo_u64 svmdemo_hist_upper(unsigned int b)
{
	return b < 4 ? b :
	       b >= SVMDEMO_HIST_BUCKETS - 1 ? ~0ULL :
	       ((4ULL + b % 4 + 1) << (b / 4 - 1)) - 1;
}

/* ---- 6. Interrupt vectors ---- */

#define SVMDEMO_MSIX_VEC_QUEUE(q)	(q)
#define SVMDEMO_MSIX_VEC_ERROR(nq)	(nq)	/* nq = NUM_QUEUES */
#define SVMDEMO_MSIX_NR_VECS(nq)	((nq) + 1)
#define SVMDEMO_MSI_NR_VECS		1

/* ---- 7. Queue registers: queue q at 0x400 + 0x40 * q ---- */

#define SVMDEMO_QUEUE_BASE		0x400
#define SVMDEMO_QUEUE_STRIDE		0x40
#define SVMDEMO_QUEUE_END		0x800
#define SVMDEMO_QREG(q, reg)		(SVMDEMO_QUEUE_BASE + \
					 SVMDEMO_QUEUE_STRIDE * (q) + (reg))
#define SVMDEMO_Q_DESC_LO		0x00
#define SVMDEMO_Q_DESC_HI		0x04
#define SVMDEMO_Q_CMPL_LO		0x08
#define SVMDEMO_Q_CMPL_HI		0x0c
#define SVMDEMO_Q_SIZE			0x10
#define SVMDEMO_Q_HEAD			0x14	/* RO */
#define SVMDEMO_Q_TAIL			0x18	/* doorbell */
#define SVMDEMO_Q_CTRL			0x1c	/* WO */
#define  SVMDEMO_Q_CTRL_ENABLE		SVMDEMO_B(0)
#define  SVMDEMO_Q_CTRL_DISABLE		SVMDEMO_B(1)
#define  SVMDEMO_Q_CTRL_RESET		SVMDEMO_B(2)
#define SVMDEMO_Q_STATUS		0x20	/* RO */
#define  SVMDEMO_Q_STATUS_ENABLED	SVMDEMO_B(0)
#define  SVMDEMO_Q_STATUS_BUSY		SVMDEMO_B(1)
#define  SVMDEMO_Q_STATUS_DRAINING	SVMDEMO_B(2)
#define  SVMDEMO_Q_STATUS_ERROR		SVMDEMO_B(3)
#define  SVMDEMO_Q_STATUS_ERR_CODE	0x0000ff00U
#define  SVMDEMO_Q_STATUS_ERR_SHIFT	8
#define SVMDEMO_Q_COMPLETED		0x24	/* RO */
#define SVMDEMO_Q_IRQ_COALESCE		0x28	/* RW */
#define  SVMDEMO_Q_IRQ_COUNT		0x000000ffU	/* completions */
#define  SVMDEMO_Q_IRQ_USECS		0xffff0000U	/* max delay */
#define  SVMDEMO_Q_IRQ_USECS_SHIFT	16

/* Q_STATUS.ERR_CODE */
enum svmdemo_queue_error {
	SVMDEMO_QERR_NONE = 0,
	SVMDEMO_QERR_BAD_CONFIG = 1,
	SVMDEMO_QERR_DESC_FETCH = 2,
	SVMDEMO_QERR_CMPL_WRITE = 3,
	SVMDEMO_QERR_BAD_TAIL = 4,
};

/* ---- 8. Descriptor (64 bytes) ---- */

#define SVMDEMO_DESC_SIZE		64
#define SVMDEMO_DESC_PASID		0x000fffffU
#define SVMDEMO_DESC_PASID_RSVD		0x7ff00000U
#define SVMDEMO_DESC_PASID_VALID	SVMDEMO_B(31)

/* 8.1 opcodes */
enum svmdemo_opcode {
	SVMDEMO_OP_NOOP = 0,
	SVMDEMO_OP_FILL = 1,
	SVMDEMO_OP_COPY = 2,
	SVMDEMO_OP_COMPARE = 3,
	SVMDEMO_OP_CRC32C = 4,
	SVMDEMO_OP_WRITE_PATTERN = 5,
	SVMDEMO_OP_READ_CRC8 = 6,
	SVMDEMO_OP_NR,
};

#define SVMDEMO_WRITE_PATTERN_MOD	251
#define SVMDEMO_CRC8_POLY		0xab	/* reflected, Linux crc8 */
#define SVMDEMO_CRC8_INIT		0xff
#define SVMDEMO_CRC8_MASK		0xffULL
#define SVMDEMO_CRC32C_MASK		0xffffffffULL

/* 8.2 flags */
#define SVMDEMO_DESC_F_UNTRANSLATED	SVMDEMO_B(0)
#define SVMDEMO_DESC_F_NO_PRI		SVMDEMO_B(1)
#define SVMDEMO_DESC_F_PRIV		SVMDEMO_B(2)
#define SVMDEMO_DESC_F_CR_USER		SVMDEMO_B(3)
#define SVMDEMO_DESC_F_FENCE		SVMDEMO_B(4)
#define SVMDEMO_DESC_F_NO_IRQ		SVMDEMO_B(5)
#define SVMDEMO_DESC_F_RSVD		0xffc0U

struct svmdemo_desc {
	svmdemo_le32 pasid;		/* SVMDEMO_DESC_PASID* */
	svmdemo_u8 opcode;		/* enum svmdemo_opcode */
	svmdemo_u8 rsvd0;
	svmdemo_le16 flags;		/* SVMDEMO_DESC_F_* */
	svmdemo_le64 src;
	svmdemo_le64 dst;
	svmdemo_le64 len;
	svmdemo_le64 operand;		/* FILL pattern, READ_CRC8 CRC */
	svmdemo_le64 cookie;
	svmdemo_le64 cr_addr;		/* with F_CR_USER, 32-byte aligned */
	svmdemo_le64 rsvd1;
};

static_assert(sizeof(struct svmdemo_desc) == SVMDEMO_DESC_SIZE,
	      "descriptor size");
static_assert(offsetof(struct svmdemo_desc, opcode) == 0x04, "opcode");
static_assert(offsetof(struct svmdemo_desc, flags) == 0x06, "flags");
static_assert(offsetof(struct svmdemo_desc, src) == 0x08, "src");
static_assert(offsetof(struct svmdemo_desc, dst) == 0x10, "dst");
static_assert(offsetof(struct svmdemo_desc, len) == 0x18, "len");
static_assert(offsetof(struct svmdemo_desc, operand) == 0x20, "operand");
static_assert(offsetof(struct svmdemo_desc, cookie) == 0x28, "cookie");
static_assert(offsetof(struct svmdemo_desc, cr_addr) == 0x30, "cr_addr");
static_assert(offsetof(struct svmdemo_desc, rsvd1) == 0x38, "rsvd1");

/* ---- 9. Completion record (32 bytes) ---- */

#define SVMDEMO_CMPL_SIZE		32
#define SVMDEMO_CMPL_CODE		0x000000ffU
#define SVMDEMO_CMPL_FAULT_WRITE	SVMDEMO_B(8)
#define SVMDEMO_CMPL_CR_USER_FAILED	SVMDEMO_B(9)
#define SVMDEMO_CMPL_RSVD		0x7ffffc00U
#define SVMDEMO_CMPL_DONE		SVMDEMO_B(31)

struct svmdemo_cmpl {
	svmdemo_le32 status;		/* SVMDEMO_CMPL_* */
	svmdemo_le32 bytes_done;
	svmdemo_le64 result;
	svmdemo_le64 fault_addr;
	svmdemo_le64 cookie;
};

static_assert(sizeof(struct svmdemo_cmpl) == SVMDEMO_CMPL_SIZE,
	      "completion record size");
static_assert(offsetof(struct svmdemo_cmpl, bytes_done) == 0x04,
	      "bytes_done");
static_assert(offsetof(struct svmdemo_cmpl, result) == 0x08, "result");
static_assert(offsetof(struct svmdemo_cmpl, fault_addr) == 0x10,
	      "fault_addr");
static_assert(offsetof(struct svmdemo_cmpl, cookie) == 0x18, "cookie");

/* 9.2 status codes (SVMDEMO_CMPL_CODE, COMPAT_STATUS) */
enum svmdemo_status {
	SVMDEMO_STS_SUCCESS = 0x00,
	SVMDEMO_STS_PAGE_FAULT = 0x01,
	SVMDEMO_STS_PERM = 0x02,
	SVMDEMO_STS_PRIV = 0x03,
	SVMDEMO_STS_BAD_OPCODE = 0x04,
	SVMDEMO_STS_RESERVED = 0x05,
	SVMDEMO_STS_LENGTH = 0x06,
	SVMDEMO_STS_BAD_PASID = 0x07,
	SVMDEMO_STS_MISMATCH = 0x08,
	SVMDEMO_STS_ABORTED = 0x09,
	SVMDEMO_STS_TIMEOUT = 0x0a,
	SVMDEMO_STS_DMA_ERROR = 0x0b,
	SVMDEMO_STS_NR,
};

#endif /* SVMDEMO_HW_H */
