"""A demo outside worker: issues invoice numbers from a (fake) ERP for the service tasks of topic
``erp_invoice`` (examples/erp_invoice.bpmn), over the external-task API with a Bearer token.

    python examples/erp_invoice_worker.py --url http://127.0.0.1:5000/api/v1 --token ast_…

Each round it fetches and locks up to 10 tasks (30 s locks) and, for each:
- a case without a customer code: reports the BPMN error ``NO_CUSTOMER`` (the diagram's boundary
  error event sends the case to finance to check the customer);
- the ERP unavailable (``--erp-down``): reports a failure with one retry fewer (3 to start with) and a
  one-minute back-off; with none left the case shows an incident until operations retry it;
- otherwise: completes the task with ``invoice_no`` (the ERP's next number) into the case data.
It waits ``--poll`` seconds when there was nothing to do. ``--once`` runs one round (for a try-out).
"""

from __future__ import annotations

import argparse
import itertools
import time
from typing import Any

import httpx

TOPIC = "erp_invoice"
LOCK_MS = 30_000
FIRST_RETRIES = 3
BACK_OFF_MS = 60_000


class FakeErp:
    """Stands in for the ERP: numbers invoices in order, or is down."""

    def __init__(self, *, down: bool = False, prefix: str = "INV") -> None:
        self.down, self.prefix = down, prefix
        self._numbers = itertools.count(1)

    def issue_invoice(self, customer_code: str, case_no: str | None) -> str:
        if self.down:
            raise ConnectionError("ERP not reachable")
        return f"{self.prefix}-{next(self._numbers):06d}"


def run_once(client: httpx.Client, erp: FakeErp, worker_id: str = "erp-invoice-worker") -> list[str]:
    """One round: fetch, lock and handle the ready tasks; what was done with each ("completed", …)."""
    fetched = client.post(
        "/external-tasks/fetch-and-lock",
        json={"worker_id": worker_id, "topics": [{"name": TOPIC, "lock_duration": LOCK_MS}], "max_tasks": 10},
    )
    fetched.raise_for_status()
    done = []
    for task in fetched.json():
        done.append(handle(client, erp, worker_id, task))
    return done


def handle(client: httpx.Client, erp: FakeErp, worker_id: str, task: dict[str, Any]) -> str:
    url = f"/external-tasks/{task['id']}"
    customer = str(task["variables"].get("customer_code") or "").strip()
    if not customer:
        body = {"worker_id": worker_id, "error_code": "NO_CUSTOMER", "variables": {"erp_reason": "no customer code"}}
        client.post(f"{url}/bpmn-error", json=body).raise_for_status()
        return "bpmn_error"
    try:
        invoice_no = erp.issue_invoice(customer, task.get("case_no"))
    except ConnectionError as exc:
        left = (FIRST_RETRIES if task["retries"] is None else task["retries"]) - 1
        body = {
            "worker_id": worker_id,
            "error_message": str(exc),
            "retries": max(left, 0),
            "retry_timeout": BACK_OFF_MS,
        }
        client.post(f"{url}/failure", json=body).raise_for_status()
        return "failed"
    answer = client.post(f"{url}/complete", json={"worker_id": worker_id, "variables": {"invoice_no": invoice_no}})
    if answer.status_code == 409:  # our lock expired and another worker has it: leave it to them
        return "lost_lock"
    answer.raise_for_status()
    return "completed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000/api/v1")
    parser.add_argument("--token", required=True, help="an API token (ast_…) of an account with the finance role")
    parser.add_argument("--worker-id", default="erp-invoice-worker")
    parser.add_argument("--poll", type=float, default=5.0, help="seconds to wait when there was nothing to do")
    parser.add_argument("--erp-down", action="store_true", help="pretend the ERP is unreachable (failures, incidents)")
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    erp = FakeErp(down=args.erp_down)
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=30) as client:
        while True:
            done = run_once(client, erp, args.worker_id)
            for what in done:
                print(what, flush=True)
            if args.once:
                return
            if not done:
                time.sleep(args.poll)


if __name__ == "__main__":
    main()
