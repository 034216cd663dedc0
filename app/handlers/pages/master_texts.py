"""The words the master-data pages show besides the field and table labels (those are the domain's,
``FIELD_LABELS``/``TABLE_LABELS``): the choices' names, the change actions, and the checks' refusals
in the user's language.

The domain words its refusals in English for the API and the import; the ones a form shows most
are translated here by their text, anything else is shown as the domain wrote it.
"""

from __future__ import annotations

import re
from enum import StrEnum

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ...domain.master_data import ContractStatus
from ...domain.master_data import CustomerKind
from ...domain.master_data import CustomerLanguage
from ...domain.master_data import FeeTerms
from ...domain.master_data import PriceKind
from ...domain.master_data import Region
from ...domain.master_data import SlaProfile
from ...domain.master_data import TechnicianTitle
from ...services.master_data.records import ChangeAction

CHOICE_LABELS: dict[StrEnum, object] = {
    CustomerKind.PERSON: _l("person"),
    CustomerKind.COMPANY: _l("company"),
    # A language by its own name, as the customer would pick it, whatever the user's language.
    CustomerLanguage.CHINESE: "中文",
    CustomerLanguage.ENGLISH: "English",
    Region.URBAN: _l("urban"),
    Region.SUBURBAN: _l("suburban"),
    SlaProfile.STANDARD_URBAN: _l("standard, urban (6 h)"),
    SlaProfile.STANDARD_SUBURBAN: _l("standard, suburban (7 h)"),
    SlaProfile.PREMIUM: _l("premium (4 h)"),
    ContractStatus.ACTIVE: _l("active"),
    ContractStatus.RENEWED: _l("renewed"),
    ContractStatus.LAPSED: _l("lapsed"),
    FeeTerms.FREE: _l("free of charge"),
    FeeTerms.PARTS_CHARGED: _l("parts charged"),
    FeeTerms.DISCOUNTED: _l("discounted"),
    TechnicianTitle.JUNIOR: _l("junior"),
    TechnicianTitle.INTERMEDIATE: _l("intermediate"),
    TechnicianTitle.SENIOR: _l("senior"),
    PriceKind.PART: _l("part"),
    PriceKind.LABOUR: _l("labour rate"),
    PriceKind.TRAVEL: _l("travel fee"),
}
ACTION_LABELS = {
    ChangeAction.CREATED: _l("created"),
    ChangeAction.UPDATED: _l("edited"),
    ChangeAction.IMPORTED: _l("imported"),
}
_REFUSALS = {
    "required": _l("required"),
    "letters, digits and . _ / - only": _l("letters, digits and . _ / - only"),
    "a phone number may only start with +": _l("a phone number may only start with +"),
    "a phone number has 5 to 20 digits": _l("a phone number has 5 to 20 digits"),
    "at most two decimals": _l("at most two decimals"),
    "an amount from 0 to 9 999 999 999.99": _l("an amount from 0 to 9 999 999 999.99"),
    "the contract must end after it starts": _l("the contract must end after it starts"),
    "a discounted contract needs its discount": _l("a discounted contract needs its discount"),
    "the extended warranty must end after the purchase": _l("the extended warranty must end after the purchase"),
    "a labour rate is for a service category": _l("a labour rate is for a service category"),
    "a travel fee is for a region": _l("a travel fee is for a region"),
    "not a field of this table": _l("not a field of this table"),
}
_AT_MOST = re.compile(r"at most (\d+) characters")
_NOT_A_DATE = re.compile(r"'(.*)' is not a date \(YYYY-MM-DD\)")
_NO_RECORD = re.compile(r"no (\w+) record '(.*)'")
_TAKEN = re.compile(r"(\S+) is already a (\w+) record")


def choice_label(value: object) -> str:
    """A stored choice in the user's language (the stored value if it has no label)."""
    for choice, label in CHOICE_LABELS.items():
        if choice.value == value:
            return str(label)
    return str(value)


def refusal(text: str) -> str:
    """One of the domain's refusals of a value, in the user's language when it is a known one."""
    if text in _REFUSALS:
        return str(_REFUSALS[text])
    if match := _AT_MOST.fullmatch(text):
        return gettext("at most %(count)s characters", count=match[1])
    if match := _NOT_A_DATE.fullmatch(text):
        return gettext("%(value)s is not a date (YYYY-MM-DD)", value=match[1])
    if match := _NO_RECORD.fullmatch(text):
        return gettext("there is no record %(key)s", key=match[2])
    if match := _TAKEN.fullmatch(text):
        return gettext("%(key)s is already taken by another record", key=match[1])
    return text
