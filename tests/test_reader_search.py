"""The search box as readers use it (issue 25): lay questions reach the page written for people
with type 1 diabetes; more than ten results are one "Show more" away; Tab reaches the results
and focus leaving the box closes it; excerpts are page text, not table headings or notes."""
from __future__ import annotations

import pytest
from search_harness import SearchBox

LIVING = "living-with-type-1-diabetes/"


@pytest.mark.parametrize("query", ["is it safe", "is there a cure", "cure", "trial", "can I take part in a trial",
                                   "side effects"])
def test_lay_questions_reach_the_page_for_people_with_type_1_diabetes(search_box, query):
    paths, _ = search_box.ask(query)
    assert LIVING in paths[:3], paths[:5]


def test_more_than_ten_results_are_one_button_away_and_excerpts_are_clean(search_box):
    paths, _ = search_box.ask("mice")
    page = search_box.page
    total = int(page.locator(".md-search-result__meta").inner_text().split()[0])
    assert total > 10 and len(paths) == 10
    more = page.locator(".atlas-search-more button")
    assert more.is_visible() and "more" in more.inner_text()
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__link').length > 10")
    shown = page.locator(".md-search-result__link").count()
    assert shown == min(total, 20)
    assert page.evaluate("() => document.activeElement.matches('.md-search-result__link')")
    excerpts = page.locator(".md-search-result__article p:not(.atlas-search-kind)").all_inner_texts()
    for text in excerpts:
        assert "Measure Finding" not in text and "Fact Detail" not in text and "help search" not in text, text


def test_tab_reaches_the_results_and_leaving_closes_the_box(browser, search_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    box = SearchBox(page, search_site)
    box.ask("teratoma")
    page.locator(".md-search__input").focus()
    reached, closed = False, False
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('.md-search-result__link')"):
            reached = True
        if not page.evaluate("() => document.getElementById('__search').checked"):
            closed = True
            break
    assert reached, "Tab never reached a result"
    assert closed, "the box stayed open after focus left it"
    assert not page.evaluate("() => document.querySelector('[data-atlas-search]').contains(document.activeElement)")
    context.close()
