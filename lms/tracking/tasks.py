from celery import shared_task

from . import services


@shared_task(name="tracking.deliver", ignore_result=True)
def deliver(batch: int = 200) -> dict:
    """Drain the outbox: what is due now, batch after batch."""
    total: dict[str, int] = {}
    while True:
        counts = services.deliver_due(batch=batch)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if sum(counts.values()) < batch:
            return total
