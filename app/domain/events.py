"""The kinds of audit-trail events a case records (``Event.type``); the trail is the truth QA reads."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    INSTANCE_STARTED = "instance_started"
    INSTANCE_COMPLETED = "instance_completed"
    INSTANCE_CANCELLED = "instance_cancelled"
    INSTANCE_SUSPENDED = "instance_suspended"
    INSTANCE_RESUMED = "instance_resumed"
    INSTANCE_RETRIED = "instance_retried"
    INSTANCE_MIGRATED = "instance_migrated"
    TASK_READY = "task_ready"
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"
    TASK_DELEGATED = "task_delegated"
    TASK_COMPLETED = "task_completed"
    CUSTOMER_STEP_ON_BEHALF = "customer_step_on_behalf"  # staff did the customer's step (customer_steps.py)
    TASK_CANCELLED = "task_cancelled"
    TASK_SKIPPED = "task_skipped"
    STEP_REPEATED = "step_repeated"
    ELEMENT_COMPLETED = "element_completed"
    TIMER_SCHEDULED = "timer_scheduled"
    TIMER_FIRED = "timer_fired"
    TIMER_CANCELLED = "timer_cancelled"
    DEADLINE_CHANGED = "deadline_changed"
    DEADLINE_MET = "deadline_met"  # a deadline on a task's start met by taking it up (D-12)
    ESCALATION = "escalation"
    REMINDER = "reminder"
    MESSAGE_SENT = "message_sent"
    MESSAGE_UNDELIVERED = "message_undelivered"
    MESSAGE_RECEIVED = "message_received"  # from outside (POST /messages): a waiting case moved on
    CASES_PLANNED = "cases_planned"
    SCHEDULED_CASE_OPENED = "scheduled_case_opened"
    SCHEDULED_CASE_REFUSED = "scheduled_case_refused"
    ERROR = "error"
    EXTERNAL_TASK_FAILED = "external_task_failed"  # a worker's failure, retries left
    BPMN_ERROR = "bpmn_error"  # a worker's business error, caught by a boundary error event
    INCIDENT_OPENED = "incident_opened"  # an external task's retries ran out: operations must look
    PAPER_STORED = "paper_stored"  # a paper's PDF stored with the case (its version and SHA-256)
    PAPER_DOWNLOADED = "paper_downloaded"  # a stored paper downloaded (the SHA-256 of the bytes given)
    INCIDENT_RESOLVED = "incident_resolved"  # operations gave the task new retries (POST .../retry)
    # The customer's case links (domain/customer_links.py): what staff and the customer did through them.
    CUSTOMER_LINK_ISSUED = "customer_link_issued"
    CUSTOMER_LINK_REVOKED = "customer_link_revoked"
    CUSTOMER_LINK_OPENED = "customer_link_opened"
    CUSTOMER_LINK_REFUSED = "customer_link_refused"  # a spent, expired or revoked link of this case was tried
    CUSTOMER_TASK_DONE = "customer_task_done"  # the customer completed their step through a link
    RESCHEDULE_REQUESTED = "reschedule_requested"
    CUSTOMER_MESSAGE_SENT = "customer_message_sent"
    CUSTOMER_MESSAGE_FAILED = "customer_message_failed"
    PUBLIC_REQUEST_RECEIVED = "public_request_received"  # a customer's request from the public form (/request)
