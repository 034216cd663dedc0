"""A repair registered for a unit is filed under the unit and its customer; a new unit and customer
are created from the registration in the same step, and the customer's file lists the case."""

from __future__ import annotations

from tests.repair_driver import RepairCase


def test_a_known_unit_files_the_case_under_it_and_its_customer(as_user):
    case = RepairCase(as_user)  # SN-FR-1001 belongs to the demo customer C001
    agent = as_user("agent")
    unit = agent.get("/master/units/SN-FR-1001").json
    customer = agent.get("/master/customers/C001").json
    assert [c["id"] for c in unit["related"]["cases"]] == [case.id]
    assert [c["id"] for c in customer["related"]["cases"]] == [case.id]


def test_a_new_serial_creates_the_unit_and_its_customer_from_the_registration(as_user):
    case = RepairCase(
        as_user,
        serial_no="sn-new 777",
        customer_name="周敏 Zhou Min",
        customer_phone="１３９ 1111 2222",
        address="北京市西城区金融街 9 号",
        product_model="XQG-90",
        product_category="laundry",
    )
    agent = as_user("agent")
    unit = agent.get("/master/units/SN-NEW777")
    assert unit.status_code == 200, unit.json
    record = unit.json["record"]
    assert (record["model"], record["product_category"]) == ("XQG-90", "laundry")
    customer = agent.get(f"/master/customers/{record['customer_code']}").json
    assert customer["record"]["phone"] == "13911112222"
    assert customer["record"]["name"] == "周敏 Zhou Min"
    assert [c["id"] for c in customer["related"]["cases"]] == [case.id]
    assert customer["history"][0]["source"].startswith("case ")
    assert customer["history"][0]["actor"] == "agent"


def test_a_second_unit_of_a_known_phone_joins_that_customer(as_user):
    RepairCase(as_user, serial_no="SN-OTHER-1", customer_phone="13800000001")
    unit = as_user("agent").get("/master/units/SN-OTHER-1").json
    assert unit["record"]["customer_code"] == "C001"


def test_a_registration_the_records_cannot_take_still_goes_on_unfiled(as_user):
    case = RepairCase(as_user, serial_no="SN-BAD-PHONE", customer_phone="12")
    assert case.body["status"] == "running"
    assert as_user("agent").get("/master/units/SN-BAD-PHONE").status_code == 404
