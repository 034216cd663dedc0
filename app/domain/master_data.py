"""The department's own records (customers, units, contracts, technicians, prices): what each table
holds, how a typed-in or imported value is normalised and checked, and the rules across fields.

One description per table (``TABLES``) serves the API, the pages, the spreadsheet import and the
export, so a column means the same everywhere. Values arrive as text (a form, a CSV cell) or as
what a spreadsheet holds (a number, a date); ``parse_value`` turns either into the field's type or
raises ``ValueError`` with a sentence for the person who typed it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation
from enum import StrEnum
from functools import cached_property
from typing import Any

from .roles import REGISTRARS
from .roles import WORKING_ROLES
from .roles import Role


class CustomerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"
    INTERNAL = "internal"  # a department of the company itself: its work is fee type D


class CustomerLanguage(StrEnum):
    """The language a customer's messages and link pages are in (the interface's catalogues)."""

    CHINESE = "zh_Hans"
    ENGLISH = "en"


class Region(StrEnum):
    URBAN = "urban"
    SUBURBAN = "suburban"


class SlaProfile(StrEnum):
    """Arrival promise of a contract (seed 003: 6 h urban, 7 h suburban; seed 002: PREMIUM 4 h)."""

    STANDARD_URBAN = "STANDARD_URBAN"
    STANDARD_SUBURBAN = "STANDARD_SUBURBAN"
    PREMIUM = "PREMIUM"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    RENEWED = "renewed"
    LAPSED = "lapsed"


class FeeTerms(StrEnum):
    """How a contract's work is charged (fee type B is not always free)."""

    FREE = "free"
    PARTS_CHARGED = "parts_charged"
    DISCOUNTED = "discounted"


class TechnicianTitle(StrEnum):
    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


class PriceKind(StrEnum):
    PART = "part"
    LABOUR = "labour"  # per service category
    TRAVEL = "travel"  # per region


class FieldKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    BOOL = "bool"
    INT = "int"
    MONEY = "money"
    LIST = "list"  # several short texts, written "a; b" (also 、 ， , as separators)
    PERIODS = "periods"  # days or ISO 8601 intervals, "2026-03-02; 2026-05-01/2026-05-05"


_FULL_WIDTH = str.maketrans({"\u3000": " "})
_SEPARATORS = re.compile(r"[;；,，、\n]+")
_PHONE_KEEP = re.compile(r"[^0-9+]")
_TRUE = {"1", "true", "yes", "y", "x", "是", "有", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "无", ""}


def fold(text: str) -> str:
    """Full-width letters, digits and spaces as their ASCII forms (NFKC), trimmed."""
    if text.isascii():  # most cells of an import: NFKC leaves ASCII as it is
        return text.strip()
    return unicodedata.normalize("NFKC", text).translate(_FULL_WIDTH).strip()


def normalise_phone(text: str) -> str:
    """Digits (and a leading +) only: "１３８ 0000-0001" → "13800000001"."""
    folded = fold(text)
    digits = _PHONE_KEEP.sub("", folded)
    if digits.count("+") > 1 or ("+" in digits and not digits.startswith("+")):
        raise ValueError("a phone number may only start with +")
    if not 5 <= len(digits.lstrip("+")) <= 20:
        raise ValueError("a phone number has 5 to 20 digits")
    return digits


def normalise_code(text: str) -> str:
    """A serial number or record code: folded, inner spaces removed, upper case."""
    code = re.sub(r"\s+", "", fold(text)).upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9._/\-]*", code):
        raise ValueError("letters, digits and . _ / - only")
    return code


def code_in(value: Any) -> str | None:
    """``value`` (a form's, a case's) as a record key, normalised like ``normalise_code``; None when it
    cannot be one (empty, or characters no key has)."""
    try:
        return normalise_code(str(value or ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    required: bool = False
    max_length: int = 128
    choices: type[StrEnum] | None = None
    normalise: Callable[[str], str] | None = None
    references: str | None = None  # the table whose key this field holds
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Table:
    """One kind of record: its key field, fields in display order, and who edits it."""

    name: str
    key: str
    fields: tuple[Field, ...]
    editors: frozenset[Role]
    readers: frozenset[Role]  # besides the editors, the administrator and the auditor
    search: tuple[str, ...]  # fields a free-text search looks in
    filters: tuple[str, ...] = ()  # fields a list can be narrowed by
    checks: tuple[Callable[[Mapping[str, Any]], dict[str, str]], ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @cached_property  # asked for every cell of an import
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _text(value: Any, spec: Field) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 13800000001.0
    text = fold(str(value))
    if spec.normalise is not None and text:
        text = spec.normalise(text)
    if len(text) > spec.max_length:
        raise ValueError(f"at most {spec.max_length} characters")
    return text


EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of a spreadsheet's date numbers (the 1900 system, as Excel counts)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        return EXCEL_EPOCH + timedelta(days=int(value))  # a date cell without a date format
    text = fold(str(value)).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(str(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes or no")


def _int(value: Any, spec: Field) -> int:
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        try:
            number = int(fold(str(value)))
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
    if spec.minimum is not None and number < spec.minimum:
        raise ValueError(f"at least {spec.minimum}")
    if spec.maximum is not None and number > spec.maximum:
        raise ValueError(f"at most {spec.maximum}")
    return number


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(fold(str(value)).replace(",", "").removeprefix("¥").removeprefix("￥"))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValueError("an amount from 0 to 9 999 999 999.99")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals")
    return amount.quantize(Decimal("0.01"))


def _list(value: Any, spec: Field) -> list[str]:
    if isinstance(value, list | tuple):
        items = [fold(str(v)) for v in value]
    else:
        items = [fold(v) for v in _SEPARATORS.split(str(value))]
    items = [i for i in items if i]
    for item in items:
        if len(item) > spec.max_length:
            raise ValueError(f"each item at most {spec.max_length} characters")
    return list(dict.fromkeys(items))


def parse_period(text: str) -> tuple[date, date]:
    """A day ("2026-03-02") or an ISO 8601 interval of days ("2026-05-01/2026-05-05", both included)."""
    first, _, last = fold(text).partition("/")
    start = _date(first)
    end = _date(last) if last else start
    if end < start:
        raise ValueError(f"{text!r} ends before it starts")
    return start, end


def _periods(value: Any, spec: Field) -> list[str]:
    periods = []
    for item in _list(value, spec):
        start, end = parse_period(item)
        periods.append(start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}")
    return periods


def parse_value(spec: Field, value: Any) -> Any:
    """``value`` as ``spec``'s type; None (or empty text) for an empty optional field."""
    empty = value is None or (isinstance(value, str) and not fold(value)) or value == []
    if empty:
        if spec.required:
            raise ValueError("required")
        return False if spec.kind is FieldKind.BOOL else [] if spec.kind in _LISTS else None
    match spec.kind:
        case FieldKind.TEXT:
            return _text(value, spec)
        case FieldKind.CHOICE:
            assert spec.choices is not None
            text = fold(str(value))
            for choice in spec.choices:
                if text.lower() == choice.value.lower():
                    return choice.value
            raise ValueError(f"{text!r} is not one of {', '.join(c.value for c in spec.choices)}")
        case FieldKind.DATE:
            return _date(value)
        case FieldKind.BOOL:
            return _bool(value)
        case FieldKind.INT:
            return _int(value, spec)
        case FieldKind.MONEY:
            return _money(value)
        case FieldKind.LIST:
            return _list(value, spec)
        case FieldKind.PERIODS:
            return _periods(value, spec)
    raise AssertionError(spec.kind)


_LISTS = frozenset({FieldKind.LIST, FieldKind.PERIODS})


def format_value(spec: Field, value: Any) -> str:
    """The value as a person types it (the export and the edit form write this)."""
    if value is None:
        return ""
    if spec.kind is FieldKind.BOOL:
        return "yes" if value else "no"
    if spec.kind in _LISTS:
        return "; ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _contract_dates(values: Mapping[str, Any]) -> dict[str, str]:
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends <= starts:
        return {"ends_on": "the contract must end after it starts"}
    return {}


def _discount(values: Mapping[str, Any]) -> dict[str, str]:
    if values.get("fee_terms") == FeeTerms.DISCOUNTED and not values.get("discount_percent"):
        return {"discount_percent": "a discounted contract needs its discount"}
    return {}


def _warranty_dates(values: Mapping[str, Any]) -> dict[str, str]:
    bought, extended = values.get("purchase_date"), values.get("extended_until")
    if bought and extended and extended <= bought:
        return {"extended_until": "the extended warranty must end after the purchase"}
    return {}


def _price_applies(values: Mapping[str, Any]) -> dict[str, str]:
    kind = values.get("kind")
    if kind == PriceKind.LABOUR and not values.get("service_category"):
        return {"service_category": "a labour rate is for a service category"}
    if kind == PriceKind.TRAVEL and not values.get("region"):
        return {"region": "a travel fee is for a region"}
    return {}


CUSTOMERS = Table(
    "customers",
    key="code",
    fields=(
        Field("code", FieldKind.TEXT, required=True, max_length=32, normalise=normalise_code),
        Field("name", FieldKind.TEXT, required=True),
        Field("kind", FieldKind.CHOICE, required=True, choices=CustomerKind),
        Field("region", FieldKind.CHOICE, required=True, choices=Region),
        Field("branch", FieldKind.TEXT, required=True, max_length=64),
        Field("address", FieldKind.TEXT, required=True, max_length=256),
        Field("phone", FieldKind.TEXT, required=True, max_length=32, normalise=normalise_phone),
        Field("contact_name", FieldKind.TEXT),
        Field("mobile", FieldKind.TEXT, max_length=32, normalise=normalise_phone),
        Field("key_customer", FieldKind.BOOL),
        Field("language", FieldKind.CHOICE, choices=CustomerLanguage),
    ),
    editors=frozenset({Role.CS_AGENT, Role.SUPERVISOR}),
    readers=REGISTRARS,
    search=("code", "name", "phone", "mobile", "contact_name"),
    filters=("kind", "region", "key_customer"),
)

UNITS = Table(
    "units",
    key="serial_no",
    fields=(
        Field("serial_no", FieldKind.TEXT, required=True, max_length=64, normalise=normalise_code),
        Field(
            "customer_code",
            FieldKind.TEXT,
            required=True,
            max_length=32,
            normalise=normalise_code,
            references="customers",
        ),
        Field("product_category", FieldKind.TEXT, required=True, max_length=32),
        Field("model", FieldKind.TEXT, required=True, max_length=64),
        Field("purchase_date", FieldKind.DATE),
        Field("invoice_no", FieldKind.TEXT, max_length=64),
        Field("warranty_card_no", FieldKind.TEXT, max_length=64),
        Field("extended_until", FieldKind.DATE),
        Field("tampered", FieldKind.BOOL),
        Field("contract_no", FieldKind.TEXT, max_length=64, normalise=normalise_code, references="contracts"),
    ),
    editors=frozenset({Role.CS_AGENT, Role.SUPERVISOR}),
    readers=REGISTRARS,
    search=("serial_no", "model", "customer_code", "invoice_no"),
    filters=("product_category", "customer_code", "contract_no", "tampered"),
    checks=(_warranty_dates,),
)

CONTRACTS = Table(
    "contracts",
    key="contract_no",
    fields=(
        Field("contract_no", FieldKind.TEXT, required=True, max_length=64, normalise=normalise_code),
        Field(
            "customer_code",
            FieldKind.TEXT,
            required=True,
            max_length=32,
            normalise=normalise_code,
            references="customers",
        ),
        Field("starts_on", FieldKind.DATE, required=True),
        Field("ends_on", FieldKind.DATE, required=True),
        Field("sla_profile", FieldKind.CHOICE, required=True, choices=SlaProfile),
        Field("fee_terms", FieldKind.CHOICE, required=True, choices=FeeTerms),
        Field("discount_percent", FieldKind.INT, minimum=0, maximum=100),
        Field("status", FieldKind.CHOICE, required=True, choices=ContractStatus),
    ),
    editors=frozenset({Role.FINANCE}),
    readers=REGISTRARS | {Role.FINANCE},
    search=("contract_no", "customer_code"),
    filters=("status", "sla_profile", "customer_code"),
    checks=(_contract_dates, _discount),
)

TECHNICIANS = Table(
    "technicians",
    key="username",
    fields=(
        Field("username", FieldKind.TEXT, required=True, max_length=64, references="users"),
        Field("name", FieldKind.TEXT, required=True),
        Field("phone", FieldKind.TEXT, max_length=32, normalise=normalise_phone),  # given to the customer
        Field("branch", FieldKind.TEXT, required=True, max_length=64),
        Field("regions", FieldKind.LIST, max_length=32),
        Field("skills", FieldKind.LIST, max_length=32),
        Field("title", FieldKind.CHOICE, required=True, choices=TechnicianTitle),
        Field("cert_no", FieldKind.TEXT, max_length=64),
        Field("cert_expiry", FieldKind.DATE),
        Field("max_load", FieldKind.INT, required=True, minimum=1, maximum=50),
        Field("unavailable", FieldKind.PERIODS, max_length=21),
    ),
    editors=frozenset({Role.SERVICE_MANAGER}),
    readers=frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.SERVICE_MANAGER}),
    search=("username", "name", "cert_no"),
    filters=("branch", "title"),
)

PRICES = Table(
    "prices",
    key="code",
    fields=(
        Field("code", FieldKind.TEXT, required=True, max_length=32, normalise=normalise_code),
        Field("kind", FieldKind.CHOICE, required=True, choices=PriceKind),
        Field("name", FieldKind.TEXT, required=True),
        Field("unit_price", FieldKind.MONEY, required=True),
        Field("unit", FieldKind.TEXT, max_length=16),
        Field("service_category", FieldKind.TEXT, max_length=32),
        Field("region", FieldKind.CHOICE, choices=Region),
    ),
    editors=frozenset({Role.FINANCE}),
    readers=WORKING_ROLES,  # technicians quote on site
    search=("code", "name"),
    filters=("kind", "service_category", "region"),
    checks=(_price_applies,),
)

TABLES: dict[str, Table] = {t.name: t for t in (CUSTOMERS, UNITS, CONTRACTS, TECHNICIANS, PRICES)}

# What the department calls each field (pages, export headers, and the headers an import recognises).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "code": ("编号", "Code"),
    "name": ("名称", "Name"),
    "kind": ("类别", "Kind"),
    "region": ("区域", "Region"),
    "branch": ("网点", "Branch"),
    "address": ("地址", "Address"),
    "phone": ("电话", "Phone"),
    "contact_name": ("联系人", "Contact"),
    "mobile": ("手机", "Mobile"),
    "key_customer": ("重点客户", "Key customer"),
    "language": ("语言", "Language"),
    "serial_no": ("序列号", "Serial number"),
    "customer_code": ("客户编号", "Customer code"),
    "product_category": ("产品类别", "Product category"),
    "model": ("型号", "Model"),
    "purchase_date": ("购买日期", "Purchase date"),
    "invoice_no": ("发票号", "Invoice number"),
    "warranty_card_no": ("保修卡号", "Warranty card number"),
    "extended_until": ("延保至", "Extended warranty until"),
    "tampered": ("私拆", "Tampered"),
    "contract_no": ("合同号", "Contract number"),
    "starts_on": ("开始日期", "Starts on"),
    "ends_on": ("结束日期", "Ends on"),
    "sla_profile": ("服务等级", "SLA profile"),
    "fee_terms": ("收费条款", "Fee terms"),
    "discount_percent": ("折扣 %", "Discount %"),
    "status": ("状态", "Status"),
    "username": ("用户名", "User name"),
    "regions": ("服务区域", "Regions"),
    "skills": ("技能", "Skills"),
    "title": ("职称", "Title"),
    "cert_no": ("上岗证号", "Certificate number"),
    "cert_expiry": ("上岗证有效期至", "Certificate valid until"),
    "max_load": ("最大工作量", "Maximum load"),
    "unavailable": ("休假 / 不可派工", "Leave / days off"),
    "unit_price": ("单价", "Unit price"),
    "unit": ("计量单位", "Unit"),
    "service_category": ("服务类别", "Service category"),
}
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "customers": ("客户", "Customers"),
    "units": ("产品 / 机器", "Installed units"),
    "contracts": ("维保合同", "Contracts"),
    "technicians": ("服务工程师", "Technicians"),
    "prices": ("价格表 / 备件目录", "Price list"),
}


def field_label(name: str, language: str) -> str:
    """The field's name in ``language`` ("zh…" Chinese, anything else English)."""
    zh, en = FIELD_LABELS.get(name, (name, name))
    return zh if language.startswith("zh") else en


def parse_record(
    table: Table, raw: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of ``raw`` parsed by ``table``'s fields, and the problem of each bad field.

    Unknown fields are refused by name; ``partial`` (an edit) parses only the fields given."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in raw:
        if name not in table.names:
            errors[name] = "not a field of this table"
    for spec in table.fields:
        if partial and spec.name not in raw:
            continue
        try:
            values[spec.name] = parse_value(spec, raw.get(spec.name))
        except ValueError as exc:
            errors[spec.name] = str(exc)
    return values, errors


def check_record(table: Table, values: Mapping[str, Any]) -> dict[str, str]:
    """The rules across fields (dates in order, what a price applies to) on a whole record."""
    errors: dict[str, str] = {}
    for check in table.checks:
        errors.update(check(values))
    return errors
