/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmdemo device register map, descriptor and completion record formats.
 *
 * Mirrors docs/device.md (the normative spec) define for define; when the
 * two disagree the document is right and this header is the bug.
 */
#ifndef _SVMDEMO_REGS_H
#define _SVMDEMO_REGS_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

/* PCI identity (section 1) */
#define SVMDEMO_PCI_VENDOR_ID		0x1234
#define SVMDEMO_PCI_DEVICE_ID		0x0b11
#define SVMDEMO_REG_BAR			0	/* BAR0: registers */
#define SVMDEMO_MSIX_BAR		2	/* BAR2: MSI-X table + PBA */
#define SVMDEMO_BAR0_SIZE		0x1000

/* Compatible block (section 3) */
#define SVMDEMO_COMPAT_CMD		0x00	/* W64 */
#define  SVMDEMO_COMPAT_CMD_WRITE	1
#define  SVMDEMO_COMPAT_CMD_READ	2
#define SVMDEMO_COMPAT_ID		0x00	/* R64 */
#define  SVMDEMO_COMPAT_ID_VALUE	0x0b1c5111
#define SVMDEMO_COMPAT_ADDR		0x08	/* W64 */
#define SVMDEMO_COMPAT_STATUS		0x08	/* R64: SVMDEMO_STS_* */
#define  SVMDEMO_COMPAT_STATUS_BUSY	0x80
#define SVMDEMO_COMPAT_CRC		0x10	/* W64, bits 7:0 */
#define  SVMDEMO_COMPAT_CRC_MASK	GENMASK_ULL(7, 0)
#define SVMDEMO_COMPAT_SIZE		0x18	/* W64 */
#define SVMDEMO_COMPAT_OPT		0x20	/* W64 */
#define  SVMDEMO_COMPAT_OPT_PRIV	BIT_ULL(0)
#define SVMDEMO_COMPAT_PASID		0x50	/* W32 */
#define  SVMDEMO_COMPAT_PASID_MASK	GENMASK(19, 0)
#define  SVMDEMO_COMPAT_PASID_DISABLE	BIT(20)
#define SVMDEMO_COMPAT_END		0x58

/* Global registers (section 4) */
#define SVMDEMO_VERSION			0x100	/* RO32 */
#define  SVMDEMO_VERSION_MAJOR		GENMASK(31, 16)
#define  SVMDEMO_VERSION_MINOR		GENMASK(15, 0)
#define  SVMDEMO_VERSION_1_0		0x00010000
#define SVMDEMO_CAPS			0x104	/* RO32 */
#define  SVMDEMO_CAPS_ATS		BIT(0)
#define  SVMDEMO_CAPS_PASID		BIT(1)
#define  SVMDEMO_CAPS_PRI		BIT(2)
#define  SVMDEMO_CAPS_MSIX		BIT(3)
#define  SVMDEMO_CAPS_UNTRANSLATED	BIT(4)
#define  SVMDEMO_CAPS_CR_USER		BIT(5)
#define  SVMDEMO_CAPS_FENCE		BIT(6)
#define SVMDEMO_NUM_QUEUES		0x108	/* RO32 */
#define  SVMDEMO_MAX_QUEUES		16
#define SVMDEMO_RING_SIZE_MAX		0x10c	/* RO32, entries */
#define  SVMDEMO_RING_SIZE_MIN		2
#define SVMDEMO_ATC_ENTRIES		0x110	/* RO32 */
#define SVMDEMO_PRI_CAPACITY		0x114	/* RO32 */
#define SVMDEMO_PASID_WIDTH		0x118	/* RO32, bits */
#define SVMDEMO_OPCODES			0x11c	/* RO32, BIT(opcode) */
#define SVMDEMO_MAX_XFER		0x120	/* RO32, bytes */
#define SVMDEMO_PRI_TIMEOUT		0x124	/* RO32, ms */
#define SVMDEMO_CTRL			0x128	/* WO32 */
#define  SVMDEMO_CTRL_CLEAR_COUNTERS	BIT(0)
#define  SVMDEMO_CTRL_FLUSH_ATC		BIT(1)
#define SVMDEMO_INTR_STATUS		0x130	/* RW1C32 */
#define  SVMDEMO_INTR_QUEUE(q)		BIT(q)
#define  SVMDEMO_INTR_QUEUE_MASK	GENMASK(15, 0)
#define  SVMDEMO_INTR_COMPAT_DONE	BIT(30)
#define  SVMDEMO_INTR_ERROR		BIT(31)	/* RO: ERR_CAUSE != 0 */
#define SVMDEMO_ERR_CAUSE		0x134	/* RW1C32 */
#define  SVMDEMO_ERR_QUEUE_ERROR	BIT(0)
#define  SVMDEMO_ERR_DOORBELL_DISABLED	BIT(1)
#define  SVMDEMO_ERR_COMPAT_BUSY	BIT(2)
#define SVMDEMO_ERR_QUEUE		0x138	/* RO32, BIT(q) = halted */
#define SVMDEMO_PASID_FLUSH		0x140	/* RW32 */
#define  SVMDEMO_PASID_FLUSH_PASID	GENMASK(19, 0)
#define  SVMDEMO_PASID_FLUSH_BUSY	BIT(31)

/* Counters (section 5): 64-bit, read with readq() */
#define SVMDEMO_CNT_JOBS		0x200
#define SVMDEMO_CNT_BYTES		0x208
#define SVMDEMO_CNT_ATS_REQ		0x210
#define SVMDEMO_CNT_ATC_HIT		0x218
#define SVMDEMO_CNT_ATC_MISS		0x220
#define SVMDEMO_CNT_PRI_REQ		0x228
#define SVMDEMO_CNT_PRI_GROUP		0x230
#define SVMDEMO_CNT_PRI_FAIL		0x238
#define SVMDEMO_CNT_INVAL		0x240
#define SVMDEMO_CNT_ERRORS		0x248
#define SVMDEMO_CNT_ATC_INVAL		0x250
#define SVMDEMO_CNT_PRI_TIMEOUT		0x258
#define SVMDEMO_CNT_PRI_OVERFLOW	0x260
#define SVMDEMO_CNT_STATUS(s)		(0x280 + 8 * (s))	/* s = 0..15 */
#define  SVMDEMO_CNT_STATUS_NR		16

/* Interrupt vectors (section 6) */
#define SVMDEMO_MSIX_VEC_QUEUE(q)	(q)
#define SVMDEMO_MSIX_VEC_ERROR(nq)	(nq)	/* nq = NUM_QUEUES */
#define SVMDEMO_MSIX_NR_VECS(nq)	((nq) + 1)
#define SVMDEMO_MSI_NR_VECS		1

/* Queue registers (section 7) */
#define SVMDEMO_QUEUE_BASE		0x400
#define SVMDEMO_QUEUE_STRIDE		0x40
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
#define  SVMDEMO_Q_CTRL_ENABLE		BIT(0)
#define  SVMDEMO_Q_CTRL_DISABLE		BIT(1)
#define  SVMDEMO_Q_CTRL_RESET		BIT(2)
#define SVMDEMO_Q_STATUS		0x20	/* RO */
#define  SVMDEMO_Q_STATUS_ENABLED	BIT(0)
#define  SVMDEMO_Q_STATUS_BUSY		BIT(1)
#define  SVMDEMO_Q_STATUS_DRAINING	BIT(2)
#define  SVMDEMO_Q_STATUS_ERROR		BIT(3)
#define  SVMDEMO_Q_STATUS_ERR_CODE	GENMASK(15, 8)
#define SVMDEMO_Q_COMPLETED		0x24	/* RO */

/* Q_STATUS.ERR_CODE values */
#define SVMDEMO_QERR_NONE		0
#define SVMDEMO_QERR_BAD_CONFIG		1
#define SVMDEMO_QERR_DESC_FETCH		2
#define SVMDEMO_QERR_CMPL_WRITE		3
#define SVMDEMO_QERR_BAD_TAIL		4

#define SVMDEMO_DESC_ALIGN		64
#define SVMDEMO_CMPL_ALIGN		32

/* Descriptor (section 8) */
#define SVMDEMO_DESC_PASID		GENMASK(19, 0)
#define SVMDEMO_DESC_PASID_RSVD		GENMASK(30, 20)
#define SVMDEMO_DESC_PASID_VALID	BIT(31)

enum svmdemo_opcode {
	SVMDEMO_OP_NOOP			= 0,
	SVMDEMO_OP_FILL			= 1,
	SVMDEMO_OP_COPY			= 2,
	SVMDEMO_OP_COMPARE		= 3,
	SVMDEMO_OP_CRC32C		= 4,
	SVMDEMO_OP_WRITE_PATTERN	= 5,
	SVMDEMO_OP_READ_CRC8		= 6,
	SVMDEMO_OP_NR,
};

#define SVMDEMO_WRITE_PATTERN_MOD	251
#define SVMDEMO_CRC8_POLY		0xab	/* crc8_populate_lsb() */
#define SVMDEMO_CRC8_INIT		0xff
#define SVMDEMO_CRC8_MASK		GENMASK_ULL(7, 0)
#define SVMDEMO_CRC32C_MASK		GENMASK_ULL(31, 0)

#define SVMDEMO_DESC_F_UNTRANSLATED	BIT(0)
#define SVMDEMO_DESC_F_NO_PRI		BIT(1)
#define SVMDEMO_DESC_F_PRIV		BIT(2)
#define SVMDEMO_DESC_F_CR_USER		BIT(3)
#define SVMDEMO_DESC_F_FENCE		BIT(4)
#define SVMDEMO_DESC_F_NO_IRQ		BIT(5)
#define SVMDEMO_DESC_F_RSVD		GENMASK(15, 6)

struct svmdemo_desc {
	__le32 pasid;		/* SVMDEMO_DESC_PASID* */
	__u8 opcode;		/* enum svmdemo_opcode */
	__u8 rsvd0;
	__le16 flags;		/* SVMDEMO_DESC_F_* */
	__le64 src;
	__le64 dst;
	__le64 len;
	__le64 operand;		/* FILL pattern, READ_CRC8 expected CRC */
	__le64 cookie;
	__le64 cr_addr;		/* SVMDEMO_DESC_F_CR_USER, 32-byte aligned */
	__le64 rsvd1;
};

static_assert(sizeof(struct svmdemo_desc) == SVMDEMO_DESC_ALIGN);

/* Completion record (section 9) */
#define SVMDEMO_CMPL_CODE		GENMASK(7, 0)
#define SVMDEMO_CMPL_FAULT_WRITE	BIT(8)
#define SVMDEMO_CMPL_CR_USER_FAILED	BIT(9)
#define SVMDEMO_CMPL_RSVD		GENMASK(30, 10)
#define SVMDEMO_CMPL_DONE		BIT(31)

struct svmdemo_cmpl {
	__le32 status;		/* SVMDEMO_CMPL_* */
	__le32 bytes_done;
	__le64 result;
	__le64 fault_addr;
	__le64 cookie;
};

static_assert(sizeof(struct svmdemo_cmpl) == SVMDEMO_CMPL_ALIGN);

/* Status codes (SVMDEMO_CMPL_CODE, COMPAT_STATUS; section 9.2) */
enum svmdemo_status {
	SVMDEMO_STS_SUCCESS		= 0x00,
	SVMDEMO_STS_PAGE_FAULT		= 0x01,
	SVMDEMO_STS_PERM		= 0x02,
	SVMDEMO_STS_PRIV		= 0x03,
	SVMDEMO_STS_BAD_OPCODE		= 0x04,
	SVMDEMO_STS_RESERVED		= 0x05,
	SVMDEMO_STS_LENGTH		= 0x06,
	SVMDEMO_STS_BAD_PASID		= 0x07,
	SVMDEMO_STS_MISMATCH		= 0x08,
	SVMDEMO_STS_ABORTED		= 0x09,
	SVMDEMO_STS_TIMEOUT		= 0x0a,
	SVMDEMO_STS_DMA_ERROR		= 0x0b,
	SVMDEMO_STS_NR,
};

#endif /* _SVMDEMO_REGS_H */
