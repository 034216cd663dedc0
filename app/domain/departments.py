"""The company's departments that a complaint can be ruled on, and the role that works each one's tasks.

A complaint's responsible department (责任部门) is decided by QA's investigation, the joint review
(会签) or the general manager's ruling (seed 004 §5.1.2); the handling of the complaint then goes to
that department, not to whoever holds the generic "responsible department" role. A task whose
diagram element names a ``role_from`` variable is given to the role of the department the case
data names there (services/cases/journal.py).
"""

from __future__ import annotations

from enum import StrEnum

from .roles import Role


class Department(StrEnum):
    PRODUCTION = "production"  # 生产部
    AFTER_SALES = "after_sales"  # 售后服务部
    QUALITY = "quality"  # 品质部
    PURCHASING = "purchasing"  # 采购部
    LOGISTICS = "logistics"  # 物流部
    SALES = "sales"  # 市场部/销售部
    FINANCE = "finance"  # 财务部


# The role that works a department's complaint tasks. 售后服务部 is led day to day by the service
# supervisor (服务主管); the departments without a role of their own share the generic one.
DEPARTMENT_ROLE: dict[Department, Role] = {
    Department.PRODUCTION: Role.PRODUCTION,
    Department.AFTER_SALES: Role.SUPERVISOR,
    Department.QUALITY: Role.QA,
    Department.PURCHASING: Role.RESPONSIBLE_DEPT,
    Department.LOGISTICS: Role.RESPONSIBLE_DEPT,
    Department.SALES: Role.SALES,
    Department.FINANCE: Role.FINANCE,
}


def role_of_department(value: object) -> str | None:
    """The role working ``value``'s tasks; None for a value that is not a department code."""
    if isinstance(value, str) and value in Department._value2member_map_:
        return DEPARTMENT_ROLE[Department(value)].value
    return None


def head_role_pair(head_role: str | None, department: object) -> frozenset[str] | None:
    """The roles a department's head holds: the head role of the task's lane (部门主管) together with
    the department's own role; None when ``department`` names no department.

    The head of the ruled department approves its countermeasures (seed 002 §5.3.1): a user holding
    both is that department's head (the staff list says who leads which department by their roles).
    """
    role = role_of_department(department)
    if head_role is None or role is None:
        return None
    return frozenset({head_role, role})


def dotted(data: dict, path: str) -> object:
    """``data["action"]["owner"]`` for the path ``action.owner``; None where a step is missing."""
    value: object = data
    for step in path.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value
