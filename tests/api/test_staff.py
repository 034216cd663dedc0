"""Staff administration through /api/v1/users and /admin/users: add, edit roles and names, disable
and enable, reset passwords; every change in the user's history, never a password."""

from __future__ import annotations

import base64

import pytest

from app.domain.staff import MIN_PASSWORD_LENGTH


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def logged_in(app, username: str, password: str):
    """A browser that logged in with the form."""
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def patch(api, path: str, body: dict):
    return api.client.patch(f"/api/v1{path}", json=body, headers=api._headers())


def test_an_administrator_adds_a_user_who_logs_in_with_the_generated_password(as_user, app, ctx):
    response = as_user("admin").post(
        "/users", json={"username": "wang.li", "display_name": "客服 王丽", "roles": ["cs_agent"]}
    )
    assert response.status_code == 201, response.json
    password = response.json["password"]
    assert len(password) >= MIN_PASSWORD_LENGTH
    assert response.json["user"] == {
        "username": "wang.li",
        "display_name": "客服 王丽",
        "email": None,
        "locale": "zh_Hans",
        "roles": ["cs_agent"],
        "active": True,
        "created_at": "2026-03-02T01:00:00+00:00",
    }
    me = app.test_client().get("/api/v1/me", headers=basic("wang.li", password))
    assert me.status_code == 200 and me.json["roles"] == ["cs_agent"]
    with ctx.uow() as uow:
        assert password not in uow.users.get("wang.li").password_hash
    detail = as_user("admin").get("/users/wang.li").json
    assert [(c["action"], c["actor"]) for c in detail["history"]] == [("created", "admin")]
    assert password not in str(detail)


def test_a_typed_password_is_not_answered_back(as_user, app):
    response = as_user("admin").post(
        "/users", json={"username": "li.na2", "roles": ["dispatcher"], "password": "a long passphrase"}
    )
    assert response.status_code == 201 and response.json["password"] is None
    assert app.test_client().get("/api/v1/me", headers=basic("li.na2", "a long passphrase")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "agent", "roles": ["cs_agent"]}, "username"),  # taken
        ({"username": "tech_expired", "roles": ["technician"]}, "username"),  # taken (disabled ones too)
        ({"username": "Bad Name!", "roles": ["cs_agent"]}, "username"),
        ({"username": "newbie", "roles": ["wizard"]}, "roles"),
        ({"username": "newbie", "roles": []}, "roles"),
        ({"username": "newbie", "roles": ["cs_agent"], "password": "short"}, "password"),
        ({"username": "newbie", "roles": ["cs_agent"], "email": "not an address"}, "email"),
    ],
)
def test_a_refused_user_is_answered_with_the_field(as_user, body, field):
    response = as_user("admin").post("/users", json=body)
    assert response.status_code == 422 and field in response.json["fields"], response.json
    assert as_user("admin").get("/users/newbie").status_code == 404


@pytest.mark.parametrize("username", ["agent", "service_manager", "auditor"])
def test_only_an_administrator_manages_staff(as_user, username):
    api = as_user(username)
    assert api.get("/users").status_code == 403
    assert api.post("/users", json={"username": "x1", "roles": ["cs_agent"]}).status_code == 403
    assert api.post("/users/agent/password", json={}).status_code == 403
    assert patch(api, "/users/agent", {"roles": ["admin"]}).status_code == 403


def test_the_list_is_searched_and_narrowed_by_role_and_state(as_user):
    admin = as_user("admin")
    assert admin.post("/users/tech_expired/disable").status_code == 200
    names = lambda query: [u["username"] for u in admin.get(f"/users{query}").json]  # noqa: E731
    technicians = ["tech_expired", "tech_it", "tech_suburb1", "tech_suburb2", "tech_urban1", "tech_urban2"]
    assert names("?role=technician") == technicians
    assert names("?role=technician&active=true") == technicians[1:]
    assert names("?active=false") == ["tech_expired"]
    assert names("?q=SUBURB") == ["tech_suburb1", "tech_suburb2"]
    assert admin.get("/users?role=wizard").status_code == 422


def test_disabling_ends_the_sessions_and_log_in_until_enabled_again(as_user, app):
    browser = logged_in(app, "agent", "agent")
    assert browser.get("/inbox").status_code == 200
    admin = as_user("admin")
    assert admin.post("/users/agent/disable").json["active"] is False
    assert browser.get("/inbox").status_code == 302  # the session ended
    assert app.test_client().get("/api/v1/me", headers=basic("agent", "agent")).status_code == 401
    assert admin.post("/users/agent/enable").json["active"] is True
    assert browser.get("/inbox").status_code == 302  # enabling does not revive a session
    assert app.test_client().get("/api/v1/me", headers=basic("agent", "agent")).status_code == 200
    history = admin.get("/users/agent").json["history"]
    assert [c["action"] for c in history] == ["enabled", "disabled"]
    assert admin.client.delete("/api/v1/users/agent", headers=admin._headers()).status_code == 405  # never deleted


def test_a_reset_password_replaces_the_old_one_and_ends_the_sessions(as_user, app):
    browser = logged_in(app, "finance", "finance")
    admin = as_user("admin")
    assert admin.post("/users/finance/password", json={"password": "short"}).status_code == 422
    response = admin.post("/users/finance/password", json={"password": "correct horse battery"})
    assert response.status_code == 200 and response.json["password"] is None
    assert browser.get("/inbox").status_code == 302
    client = app.test_client()
    assert client.get("/api/v1/me", headers=basic("finance", "finance")).status_code == 401
    assert client.get("/api/v1/me", headers=basic("finance", "correct horse battery")).status_code == 200
    generated = admin.post("/users/finance/password").json["password"]
    assert client.get("/api/v1/me", headers=basic("finance", generated)).status_code == 200
    history = admin.get("/users/finance").json["history"]
    assert [c["changes"] for c in history] == [{"password": ["", "generated"]}, {"password": ["", "typed"]}]
    assert "correct horse" not in str(history) and generated not in str(history)


def test_new_roles_and_names_are_audited_and_end_the_sessions(as_user, app):
    browser = logged_in(app, "qa", "qa")
    admin = as_user("admin")
    response = patch(admin, "/users/qa", {"roles": ["qa", "mis"], "display_name": "质量部 朱军"})
    assert response.status_code == 200 and response.json["roles"] == ["mis", "qa"]
    assert browser.get("/inbox").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=basic("qa", "qa")).json["roles"] == ["mis", "qa"]
    [change] = admin.get("/users/qa").json["history"]
    assert change["action"] == "updated" and change["changes"] == {
        "roles": ["qa", "mis, qa"],
        "display_name": ["qa", "质量部 朱军"],
    }
    assert patch(admin, "/users/qa", {"roles": ["wizard"]}).json["fields"] == {"roles": ["unknown role(s): wizard"]}
    assert patch(admin, "/users/nobody", {"display_name": "x"}).status_code == 404


def test_the_last_active_administrator_keeps_the_role_and_cannot_be_disabled(as_user):
    admin = as_user("admin")
    refused = patch(admin, "/users/admin", {"roles": ["cs_agent"]})
    assert refused.status_code == 422 and "roles" in refused.json["fields"]
    refused = admin.post("/users/admin/disable")
    assert refused.status_code == 422 and "active" in refused.json["fields"]
    assert patch(admin, "/users/process_owner", {"roles": ["process_owner", "admin"]}).status_code == 200
    assert admin.post("/users/admin/disable").status_code == 200
    # the other administrator is now the last one
    assert as_user("process_owner").post("/users/process_owner/disable").status_code == 422
    assert as_user("process_owner").get("/users/admin").json["user"]["active"] is False


# -- the pages -------------------------------------------------------------------------------------


def csrf(browser) -> str:
    browser.get("/inbox")  # a page puts the token in the session
    with browser.session_transaction() as session:
        return session["csrf"]


def test_the_staff_list_is_searched_and_filtered_in_the_browser(app):
    browser = logged_in(app, "admin", "admin")
    page = browser.get("/admin/users").get_data(as_text=True)
    assert 'id="staff-link"' in page and "tech_urban1" in page and "<script>" not in page.split('<main id="main"')[1]
    assert "新增用户" in page and "服务工程师" in page  # Chinese by default, role names included
    page = browser.get("/admin/users?role=finance").get_data(as_text=True)
    assert "finance" in page and "tech_urban1" not in page
    assert "tech_urban1" not in browser.get("/admin/users?q=supervisor").get_data(as_text=True)
    assert 'id="staff-link"' not in logged_in(app, "agent", "agent").get("/inbox").get_data(as_text=True)
    assert logged_in(app, "agent", "agent").get("/admin/users").status_code == 403


def test_a_user_added_in_the_browser_sees_the_password_once(app):
    browser = logged_in(app, "admin", "admin")
    assert browser.get("/admin/users/new").status_code == 200
    form = {
        "username": "zhou.xin",
        "display_name": "周鑫",
        "roles": ["dispatcher", "supervisor"],
        "csrf_token": csrf(browser),
    }
    refused = browser.post("/admin/users/new", data={**form, "username": "agent"})
    assert refused.status_code == 422 and "already a user" in refused.get_data(as_text=True)
    assert 'value="周鑫"' in refused.get_data(as_text=True)  # the form keeps what was typed
    answer = browser.post("/admin/users/new", data=form)
    assert answer.status_code == 201
    html = answer.get_data(as_text=True)
    password = html.split("<code>")[1].split("</code>")[0]
    assert len(password) >= 10
    assert password not in browser.get("/admin/users/zhou.xin").get_data(as_text=True)  # shown once
    assert logged_in(app, "zhou.xin", password).get("/inbox").status_code == 200


def test_roles_access_and_password_are_changed_on_the_user_page(app, as_user):
    browser = logged_in(app, "admin", "admin")
    token = csrf(browser)
    page = browser.post("/admin/users/qa", data={"roles": ["qa", "mis"], "display_name": "朱军", "csrf_token": token})
    assert page.status_code == 303
    assert as_user("admin").get("/users/qa").json["user"]["roles"] == ["mis", "qa"]
    page = browser.post("/admin/users/qa", data={"roles": [], "display_name": "朱军", "csrf_token": token})
    assert page.status_code == 422 and "at least one role" in page.get_data(as_text=True)
    assert browser.post("/admin/users/qa/active", data={"active": "0", "csrf_token": token}).status_code == 303
    assert as_user("admin").get("/users/qa").json["user"]["active"] is False
    last = browser.post("/admin/users/admin/active", data={"active": "0", "csrf_token": token})
    assert last.status_code == 422 and "last active administrator" in last.get_data(as_text=True)
    typed = browser.post("/admin/users/qa/password", data={"password": "a new passphrase", "csrf_token": token})
    assert typed.status_code == 200 and "a new passphrase" not in typed.get_data(as_text=True)
    with browser.session_transaction() as session:
        session["lang"] = "en"
    html = browser.get("/admin/users/qa").get_data(as_text=True)
    assert html.index("New password set") < html.index("Disabled") < html.index("Roles: qa → mis, qa")
    assert html.count("<tr>") - 1 == 3  # changed, disabled, new password (the header row aside)
    assert browser.post("/admin/users/qa/active", data={"active": "1"}).status_code == 403  # no CSRF token
