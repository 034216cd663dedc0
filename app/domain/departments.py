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
