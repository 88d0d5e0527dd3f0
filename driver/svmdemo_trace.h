/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmdemo tracepoints: /sys/kernel/tracing/events/svmdemo/.
 *
 *   svmdemo_submit    a job is written to a ring (before the doorbell)
 *   svmdemo_complete  the driver hands a completed job back
 *   svmdemo_fault     a job ended on a translation or permission fault
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM svmdemo

#if !defined(_SVMDEMO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SVMDEMO_TRACE_H

#include <linux/tracepoint.h>

#include "svmdemo.h"

TRACE_EVENT(svmdemo_submit,
	    TP_PROTO(const struct svmdemo_kjob *job),
	    TP_ARGS(job),
	    TP_STRUCT__entry(__field(int, dev)
			     __field(u32, pasid)
			     __field(u16, queue)
			     __field(u32, slot)
			     __field(u32, opcode)
			     __field(u32, flags)
			     __field(u64, len)
			     __field(u8, kind)),
	    TP_fast_assign(__entry->dev = job->ctx->sdev->id;
			   __entry->pasid = job->ctx->bond->pasid;
			   __entry->queue = job->queue;
			   __entry->slot = job->slot;
			   __entry->opcode = job->uj.opcode;
			   __entry->flags = job->uj.flags;
			   __entry->len = job->uj.len;
			   __entry->kind = job->kind;),
	    TP_printk("svmdemo%d pasid=%u queue=%u slot=%u opcode=%u flags=%#x len=%llu kind=%s",
		      __entry->dev, __entry->pasid, __entry->queue,
		      __entry->slot, __entry->opcode, __entry->flags,
		      __entry->len,
		      __print_symbolic(__entry->kind,
				       { SVMDEMO_KJOB_SYNC, "sync" },
				       { SVMDEMO_KJOB_ASYNC, "async" },
				       { SVMDEMO_KJOB_URING, "uring" },
				       { SVMDEMO_KJOB_BARRIER, "barrier" }))
);

TRACE_EVENT(svmdemo_complete,
	    TP_PROTO(const struct svmdemo_kjob *job),
	    TP_ARGS(job),
	    TP_STRUCT__entry(__field(int, dev)
			     __field(u32, pasid)
			     __field(u16, queue)
			     __field(u32, slot)
			     __field(int, result)
			     __field(u32, status)
			     __field(u64, bytes_done)),
	    TP_fast_assign(__entry->dev = job->ctx->sdev->id;
			   __entry->pasid = job->ctx->bond->pasid;
			   __entry->queue = job->queue;
			   __entry->slot = job->slot;
			   __entry->result = job->uj.result;
			   __entry->status = job->uj.status;
			   __entry->bytes_done = job->uj.bytes_done;),
	    TP_printk("svmdemo%d pasid=%u queue=%u slot=%u result=%d status=%#x bytes_done=%llu",
		      __entry->dev, __entry->pasid, __entry->queue,
		      __entry->slot, __entry->result, __entry->status,
		      __entry->bytes_done)
);

TRACE_EVENT(svmdemo_fault,
	    TP_PROTO(const struct svmdemo_kjob *job),
	    TP_ARGS(job),
	    TP_STRUCT__entry(__field(int, dev)
			     __field(u32, pasid)
			     __field(u64, addr)
			     __field(int, result)
			     __field(u32, status)),
	    TP_fast_assign(__entry->dev = job->ctx->sdev->id;
			   __entry->pasid = job->ctx->bond->pasid;
			   __entry->addr = job->uj.fault_addr;
			   __entry->result = job->uj.result;
			   __entry->status = job->uj.status;),
	    TP_printk("svmdemo%d pasid=%u addr=%#llx result=%d status=%#x",
		      __entry->dev, __entry->pasid, __entry->addr,
		      __entry->result, __entry->status)
);

#endif /* _SVMDEMO_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE svmdemo_trace
#include <trace/define_trace.h>
