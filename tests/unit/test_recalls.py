"""Which installed units a batch defect affects (W-08): the model, a purchase window, a serial prefix."""

from __future__ import annotations

from app.domain.recalls import affected_units

UNITS = [
    {"serial_no": "A-200", "model": "BCD-520W", "purchase_date": "2025-07-01"},
    {"serial_no": "A-100", "model": "bcd-520w", "purchase_date": "2025-06-01"},
    {"serial_no": "B-100", "model": "BCD-520W", "purchase_date": "2025-09-01"},
    {"serial_no": "A-300", "model": "BCD-520W", "purchase_date": None},
    {"serial_no": "C-100", "model": "XQG100", "purchase_date": "2025-07-01"},
]


def serials(**kwargs) -> list[str]:
    return [u["serial_no"] for u in affected_units(UNITS, "BCD-520W", **kwargs)]


def test_the_whole_model_in_serial_order_when_no_batch_is_named():
    assert serials() == ["A-100", "A-200", "A-300", "B-100"]


def test_a_purchase_window_and_a_serial_prefix_narrow_the_batch():
    assert serials(purchased_from="2025-06-15") == ["A-200", "B-100"]  # an undated unit is not in a window
    assert serials(purchased_to="2025-07-01") == ["A-100", "A-200"]
    assert serials(serial_prefix="a-") == ["A-100", "A-200", "A-300"]
    assert serials(purchased_from="2025-06-01", purchased_to="2025-08-31", serial_prefix="A") == ["A-100", "A-200"]
