"""Roles of the after-sales organisation; a BPMN lane ``lane_<role>`` gives its tasks to a role."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CS_AGENT = "cs_agent"  # 客服专员: hotline, registration, callbacks
    DISPATCHER = "dispatcher"  # 调度员: issues the service notice 售后服务通知单
    SUPERVISOR = "supervisor"  # 服务主管: assigns work, receives escalations
    TECHNICIAN = "technician"  # 服务工程师: diagnosis, repair, acceptance, report
    QA = "qa"  # 质量部: inspects factory repairs, investigates complaints
    FINANCE = "finance"  # 财务: payment and invoice
    MIS = "mis"  # 管理信息部: reviews, numbers and archives reports
    SERVICE_MANAGER = "service_manager"  # 售后服务管理师: mediation, compensation
    RESPONSIBLE_DEPT = "responsible_dept"  # 责任部门: root cause, corrective and preventive actions
    DEPT_HEAD = "dept_head"  # 部门主管: reviews
    EXECUTIVE = "executive"  # 公司领导/总经理: approvals
    SALES = "sales"  # 销售/市场部: quotes, the annual satisfaction survey
    PRODUCTION = "production"  # 生产部: carries out the approved spare-parts plan
    ADMINISTRATION = "administration"  # 行政部: the quarterly training plan, staff training records (D-26)
    CUSTOMER = "customer"  # 客户: the customer's own steps, done through a case link
    PROCESS_OWNER = "process_owner"  # 流程负责人: deploys diagrams, sees every case
    AUDITOR = "auditor"  # 质量审核: read-only view of every case and its audit trail
    ADMIN = "admin"  # 系统管理员: users, clock, everything


LANE_PREFIX = "lane_"

# Roles that work tasks in lanes (the others oversee).
# The customer works their own case's steps through a case link, never a staff inbox.
WORKING_ROLES = frozenset(r for r in Role if r not in (Role.ADMIN, Role.PROCESS_OWNER, Role.AUDITOR, Role.CUSTOMER))
# Who reads which case: see visibility.py.
# Who looks customers and units up (names, phones, addresses): the roles that register requests and
# complaints or talk to customers about them (seed 000 §4.11, seed 002 §5.3.1.3; S3 「el vendedor de la
# unidad debe registrar el nombre del cliente」). A technician reads the customer of their own cases only.
REGISTRARS = frozenset({Role.CS_AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.ADMIN})
# Roles that may change nothing.
READ_ONLY = frozenset({Role.AUDITOR})


def role_of_lane(lane_id: str | None) -> str | None:
    """``lane_technician`` → ``technician``; None for a lane that does not follow the convention."""
    if not lane_id or not lane_id.startswith(LANE_PREFIX):
        return None
    role = lane_id[len(LANE_PREFIX) :]
    return role if role in Role._value2member_map_ else None


# A lane's name in a new diagram ("中文 / English", as the deployed diagrams name theirs).
LANE_NAMES = {
    Role.CS_AGENT: "客服专员 / Customer service agent",
    Role.DISPATCHER: "调度员 / Dispatcher",
    Role.SUPERVISOR: "服务主管 / Service supervisor",
    Role.TECHNICIAN: "服务工程师 / Service engineer",
    Role.QA: "质量部 / Quality assurance",
    Role.FINANCE: "财务 / Finance",
    Role.MIS: "管理信息部 / Management information",
    Role.SERVICE_MANAGER: "售后服务管理师 / After-sales service manager",
    Role.RESPONSIBLE_DEPT: "责任部门 / Responsible department",
    Role.DEPT_HEAD: "部门主管 / Department head",
    Role.EXECUTIVE: "公司领导 / Executive",
    Role.SALES: "销售部 / Sales",
    Role.PRODUCTION: "生产部 / Production",
    Role.ADMINISTRATION: "行政部 / Administration",
    Role.CUSTOMER: "客户 / Customer",
}
# The lanes of a blank new procedure unless the owner picks others: who registers, who works on
# site, who is escalated to.
HOUSE_LANES = (Role.CS_AGENT, Role.TECHNICIAN, Role.SUPERVISOR)
