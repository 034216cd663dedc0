"""A task's card in the inbox names where the work is: the case's address links to the map (on a
phone the map app opens there), as MAP_URL says."""

from __future__ import annotations

from urllib.parse import quote

from tests.api.test_staff import logged_in
from tests.repair_driver import RepairCase


def test_the_inbox_links_the_cases_address_to_the_map(app, as_user):
    RepairCase(as_user, address="上海市浦东新区世纪大道 100 号")
    page = logged_in(app, "agent", "agent").get("/inbox?tab=group").text
    assert f'href="https://uri.amap.com/search?keyword={quote("上海市浦东新区世纪大道 100 号", safe="")}"' in page
    assert 'rel="noopener noreferrer"' in page and "上海市浦东新区世纪大道 100 号</a>" in page
