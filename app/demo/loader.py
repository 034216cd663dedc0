"""Demo data: one user per role (password = user name, demo only), customers, units in every
warranty state, technicians by region and skill, and repair cases standing at different steps."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from ..domain.fees import warranty_evidence
from ..domain.principal import Principal
from ..domain.roles import Role
from ..persistence.orm import Contract
from ..persistence.orm import Customer
from ..persistence.orm import Technician
from ..persistence.orm import Unit
from ..services.context import ServiceContext
from ..services.people.users import create_user
from ..services.planning.default_schedules import ensure_default_schedules

DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("admin", "系统管理员 Admin", [Role.ADMIN]),
    ("agent", "客服 王芳 Wang Fang", [Role.CS_AGENT]),
    ("agent2", "客服 李娜 Li Na", [Role.CS_AGENT]),
    ("dispatcher", "调度 赵强 Zhao Qiang", [Role.DISPATCHER]),
    ("supervisor", "主管 陈伟 Chen Wei (市区)", [Role.SUPERVISOR]),
    ("supervisor2", "主管 周敏 Zhou Min (郊县)", [Role.SUPERVISOR]),
    ("tech_urban1", "工程师 刘洋 Liu Yang", [Role.TECHNICIAN]),
    ("tech_urban2", "工程师 杨磊 Yang Lei", [Role.TECHNICIAN]),
    ("tech_suburb1", "工程师 黄杰 Huang Jie", [Role.TECHNICIAN]),
    ("tech_suburb2", "工程师 吴刚 Wu Gang", [Role.TECHNICIAN]),
    ("tech_it", "工程师 徐静 Xu Jing", [Role.TECHNICIAN]),
    ("tech_expired", "工程师 孙浩 Sun Hao (证书过期)", [Role.TECHNICIAN]),
    ("mis", "管理信息部 马丽 Ma Li", [Role.MIS]),
    ("qa", "质量部 朱军 Zhu Jun", [Role.QA]),
    ("finance", "财务 胡静 Hu Jing", [Role.FINANCE]),
    ("service_manager", "售后服务管理师 郭涛 Guo Tao", [Role.SERVICE_MANAGER]),
    ("dept_head", "部门主管 林峰 Lin Feng", [Role.DEPT_HEAD]),
    ("resp_dept", "责任部门 生产部 张工 Zhang Gong (production)", [Role.RESPONSIBLE_DEPT]),
    ("executive", "总经理 何建国 He Jianguo", [Role.EXECUTIVE]),
    ("process_owner", "流程负责人 高原 Gao Yuan", [Role.PROCESS_OWNER]),
    ("auditor", "质量审核 罗兰 Luo Lan (只读)", [Role.AUDITOR]),
]

SKILLS = ["refrigeration", "laundry", "tv_av", "kitchen", "small_appliance", "it_network"]


def _technicians(today: date) -> list[Technician]:
    valid, expired = today + timedelta(days=400), today - timedelta(days=30)
    rows = [
        ("tech_urban1", "刘洋 Liu Yang", "市区 Urban", ["urban"], ["refrigeration", "laundry"], valid, 5),
        ("tech_urban2", "杨磊 Yang Lei", "市区 Urban", ["urban"], ["tv_av", "small_appliance"], valid, 5),
        ("tech_suburb1", "黄杰 Huang Jie", "郊县 Suburban", ["suburban"], ["refrigeration", "kitchen"], valid, 5),
        ("tech_suburb2", "吴刚 Wu Gang", "郊县 Suburban", ["suburban", "urban"], ["laundry", "kitchen"], valid, 1),
        ("tech_it", "徐静 Xu Jing", "市区 Urban", ["urban", "suburban"], ["it_network"], valid, 4),
        ("tech_expired", "孙浩 Sun Hao", "市区 Urban", ["urban"], ["refrigeration", "laundry"], expired, 5),
    ]
    return [
        Technician(
            username=u,
            name=n,
            branch=b,
            regions=r,
            skills=s,
            cert_no=f"CERT-{u.upper()}",
            cert_expiry=c,
            title="junior",
            max_load=m,
        )
        for u, n, b, r, s, c, m in rows
    ]


def _customers() -> list[Customer]:
    rows = [
        ("C001", "张伟 Zhang Wei", "person", "urban", "北京市朝阳区建国路 88 号", "13800000001", False),
        ("C002", "王秀英 Wang Xiuying", "person", "suburban", "北京市怀柔区青春路 12 号", "13800000002", False),
        (
            "C003",
            "北方精密机械有限公司 Northern Precision",
            "company",
            "urban",
            "北京市海淀区中关村大街 1 号",
            "010-62000003",
            True,
        ),
        ("C004", "李军 Li Jun", "person", "suburban", "北京市密云区鼓楼大街 5 号", "13800000004", False),
        ("C005", "华信科技 Huaxin Tech", "company", "urban", "北京市东城区东直门 20 号", "010-64000005", True),
        ("C006", "刘芳 Liu Fang", "person", "urban", "北京市西城区金融街 3 号", "13800000006", False),
    ]
    return [
        Customer(
            code=c,
            name=n,
            kind=k,
            region=r,
            branch="市区 Urban" if r == "urban" else "郊县 Suburban",
            address=a,
            phone=p,
            key_customer=key,
        )
        for c, n, k, r, a, p, key in rows
    ]


def _units(customers: dict[str, Customer], today: date) -> list[Unit]:
    """Every warranty state: in warranty, expired, expiring this month, extended, contract,
    no evidence, tampered."""
    rows = [
        (
            "SN-FR-1001",
            "C001",
            "refrigeration",
            "BCD-520W",
            today - timedelta(days=120),
            "INV-1001",
            None,
            None,
            False,
            None,
        ),
        (
            "SN-WM-2001",
            "C002",
            "laundry",
            "XQG100",
            today - timedelta(days=500),
            "INV-2001",
            "WC-2001",
            None,
            False,
            None,
        ),
        ("SN-TV-3001", "C006", "tv_av", "65Q9", today - timedelta(days=350), None, "WC-3001", None, False, None),
        (
            "SN-FR-1002",
            "C004",
            "refrigeration",
            "BCD-450",
            today - timedelta(days=600),
            "INV-1002",
            None,
            today + timedelta(days=200),
            False,
            None,
        ),
        (
            "SN-IT-5001",
            "C003",
            "it_network",
            "SRV-R740",
            today - timedelta(days=900),
            "INV-5001",
            None,
            None,
            False,
            "MC-2026-003",
        ),
        ("SN-KT-4001", "C004", "kitchen", "JZT-Q5", today - timedelta(days=60), None, None, None, False, None),
        ("SN-WM-2002", "C001", "laundry", "XQG80", today - timedelta(days=90), "INV-2002", None, None, True, None),
        (
            "SN-IT-5002",
            "C005",
            "it_network",
            "SW-S5735",
            today - timedelta(days=200),
            "INV-5002",
            None,
            None,
            False,
            None,
        ),
    ]
    return [
        Unit(
            serial_no=s,
            customer=customers[c],
            product_category=cat,
            model=m,
            purchase_date=p,
            invoice_no=inv,
            warranty_card_no=card,
            extended_until=ext,
            tampered=t,
            contract_no=contract,
        )
        for s, c, cat, m, p, inv, card, ext, t, contract in rows
    ]


def _contracts(customers: dict[str, Customer], today: date) -> list[Contract]:
    """Active, expiring within a month (renewal starts now), in 45 days, renewed, lapsed (REQUIREMENTS §4)."""
    rows = [
        ("MC-2026-003", "C003", today - timedelta(days=165), today + timedelta(days=200), "active"),
        ("MC-2025-005", "C005", today - timedelta(days=345), today + timedelta(days=20), "active"),
        ("MC-2025-001", "C001", today - timedelta(days=320), today + timedelta(days=45), "active"),
        ("MC-2024-002", "C002", today - timedelta(days=400), today - timedelta(days=35), "renewed"),
        ("MC-2024-004", "C004", today - timedelta(days=420), today - timedelta(days=55), "lapsed"),
    ]
    return [
        Contract(
            contract_no=no,
            customer=customers[c],
            starts_on=s,
            ends_on=e,
            status=st,
            sla_profile="PREMIUM" if customers[c].key_customer else "STANDARD_URBAN",
        )
        for no, c, s, e, st in rows
    ]


def register_form(unit: Unit, **overrides: Any) -> dict[str, Any]:
    """The registration form a hotline agent would fill for ``unit``."""
    customer = unit.customer
    form = {
        "channel": "phone",
        "customer_name": customer.name,
        "customer_phone": customer.phone,
        "address": customer.address,
        "region": customer.region,
        "product_category": unit.product_category,
        "product_model": unit.model,
        "serial_no": unit.serial_no,
        "purchase_date": unit.purchase_date.isoformat() if unit.purchase_date else "",
        "warranty_evidence": warranty_evidence(unit.invoice_no, unit.warranty_card_no),
        "tampered": unit.tampered,
        "contract_no": unit.contract_no or "",
        "fault_description": "不制冷 / not cooling",
        "service_category": "repair",
        "urgency": "medium",
    }
    form.update(overrides)
    return form


def load_master_data(ctx: ServiceContext) -> None:
    """Technicians, customers and units, unless there are technicians already."""
    today = ctx.clock.now().date()
    with ctx.uow() as uow:
        if uow.master.technicians():
            return
        for tech in _technicians(today):
            uow.add_row(tech)
        customers = {c.code: c for c in _customers()}
        for c in customers.values():
            uow.add_row(c)
        for unit in _units(customers, today):
            uow.add_row(unit)
        for contract in _contracts(customers, today):
            uow.add_row(contract)
        uow.commit()


def load_demo(ctx: ServiceContext) -> list[str]:
    """Idempotent: existing users (their password, roles and name) and master data are kept; cases are added once."""
    with ctx.uow() as uow:
        existing = set(uow.users.by_usernames({username for username, _, _ in DEMO_USERS}))
    created = []
    for username, name, roles in DEMO_USERS:
        if username in existing:
            continue  # someone's account now: never reset its password to the well-known demo one
        create_user(
            ctx, username, username, [str(r) for r in roles], display_name=name, email=f"{username}@aftersales.example"
        )
        created.append(username)
    load_master_data(ctx)
    schedules = ensure_default_schedules(ctx)
    with ctx.uow() as uow:
        has_cases = bool(uow.instances.list(limit=1))
    lines = []
    if created:
        lines.append(f"{len(created)} demo users created (password = user name): " + ", ".join(created))
    kept = [u for u, _, _ in DEMO_USERS if u in existing]
    if kept:
        lines.append(f"{len(kept)} existing users left as they are (password, roles, name): " + ", ".join(kept))
    lines += [f"schedule: {name}" for name in schedules]
    if not has_cases:
        from .complaints import open_demo_complaints
        from .history import open_history
        from .repairs import open_demo_cases

        lines += open_history(ctx)
        lines += open_demo_cases(ctx)
        lines += open_demo_complaints(ctx)
        from .plans import open_demo_plans

        lines += open_demo_plans(ctx)
    return lines


def demo_principal(username: str, roles: list[str]) -> Principal:
    return Principal(username, frozenset(roles), username)
