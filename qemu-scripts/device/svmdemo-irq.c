/*
 * svmdemo interrupts: MSI-X (a vector per queue and one for errors) or
 * MSI, and the per-queue coalescing of completion interrupts
 * (Q_IRQ_COALESCE).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/lockable.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/misc/svmdemo.h"

/*
 * Interrupts are noted under the lock and sent by svmdemo_irq_send(),
 * with the BQL and without the lock: an MSI is a DMA write.
 */
void svmdemo_irq_queue(SvmdemoState *s, unsigned q)
{
    s->intr_status |= BIT(q);
    s->irq_pending |= BIT(q);
}

/*
 * A completion of queue @q that asks for an interrupt (lock held): signal
 * it now or hold it back, as Q_IRQ_COALESCE says (docs/device.md 6).
 */
void svmdemo_irq_completion(SvmdemoQueue *q)
{
    SvmdemoState *s = q->s;
    uint32_t count = q->irq_coalesce & SVMDEMO_Q_IRQ_COUNT;
    uint32_t usecs = q->irq_coalesce >> SVMDEMO_Q_IRQ_USECS_SHIFT;

    if (count <= 1 || ++q->irq_held >= count || q->head == q->tail) {
        q->irq_held = 0;
        timer_del(q->irq_timer);
        svmdemo_irq_queue(s, q->idx);
    } else if (q->irq_held == 1 && usecs) {
        timer_mod(q->irq_timer, qemu_clock_get_us(QEMU_CLOCK_REALTIME) +
                                usecs);
    }
}

/* The coalescing time of a queue ran out (main loop, BQL held). */
static void svmdemo_irq_timer(void *opaque)
{
    SvmdemoQueue *q = opaque;
    SvmdemoState *s = q->s;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        if (q->irq_held) {
            q->irq_held = 0;
            svmdemo_irq_queue(s, q->idx);
        }
    }
    svmdemo_irq_send(s);
}

void svmdemo_irq_compat(SvmdemoState *s)
{
    s->intr_status |= SVMDEMO_INTR_COMPAT_DONE;
    s->irq_pending |= BIT(0);
}

void svmdemo_raise_error(SvmdemoState *s, uint32_t cause)
{
    s->err_cause |= cause;
    s->irq_pending |= BIT(s->num_queues);
}

void svmdemo_irq_send(SvmdemoState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t pending;
    unsigned vector;

    assert(bql_locked());
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        pending = s->irq_pending;
        s->irq_pending = 0;
    }
    if (msix_enabled(pdev)) {
        while (pending) {
            vector = ctz32(pending);
            pending &= pending - 1;
            msix_notify(pdev, vector);
        }
    } else if (pending && msi_enabled(pdev)) {
        msi_notify(pdev, 0);
    }
}

void svmdemo_irq_init(SvmdemoState *s)
{
    unsigned i;

    for (i = 0; i < s->num_queues; i++) {
        s->queues[i].irq_timer = timer_new_us(QEMU_CLOCK_REALTIME,
                                              svmdemo_irq_timer,
                                              &s->queues[i]);
    }
}

void svmdemo_irq_exit(SvmdemoState *s)
{
    unsigned i;

    for (i = 0; i < s->num_queues; i++) {
        timer_free(s->queues[i].irq_timer);
        s->queues[i].irq_timer = NULL;
    }
}
