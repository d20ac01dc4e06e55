"""The generators grouped by what a creator makes (the window's sidebar reads this table)."""

from __future__ import annotations

from dataclasses import replace

from app.generators import BY_KEY, SPECS
from app.generators.groups import GROUPS, MORE, entry_of, group_of, grouped


def test_every_built_in_generator_is_in_exactly_one_group() -> None:
    listed = [key for group in GROUPS for key in group.keys]
    assert sorted(listed) == sorted(spec.key for spec in SPECS)  # each once, none unknown
    assert len({group.key for group in GROUPS}) == len(GROUPS)
    assert all(group.entries for group in GROUPS)


def test_deprecated_generators_sit_in_the_folded_group_at_the_end() -> None:
    [folded] = [group for group in GROUPS if group.collapsed]
    assert GROUPS[-1] is folded
    assert set(folded.keys) == {spec.key for spec in SPECS if spec.deprecated}
    assert [group for group, _ in grouped(SPECS)][-1] is folded


def test_each_entry_has_a_short_line_and_an_icon() -> None:
    for spec in SPECS:
        entry = entry_of(spec)
        assert entry.key == spec.key and entry.icon
        assert 0 < len(entry.blurb) <= 32, entry.blurb  # one line in the sidebar


def test_grouped_keeps_the_table_order_and_leaves_no_spec_out() -> None:
    groups = grouped(SPECS)
    assert [group.key for group, _ in groups] == [group.key for group in GROUPS]
    for group, members in groups:
        assert [spec.key for spec in members] == list(group.keys)


def test_a_registered_generator_lands_in_more_or_deprecated() -> None:
    base = BY_KEY["text_to_speech"]
    new = replace(base, key="made_up", title="Made up", description="Something new.")
    old = replace(new, key="made_up_old", deprecated=True)
    assert group_of(new) is MORE and group_of(old) is GROUPS[-1]
    assert entry_of(new).blurb == "Something new."
    groups = dict((group.key, [s.key for s in members])
                  for group, members in grouped([*SPECS, new, old]))
    assert groups["more"] == ["made_up"] and groups["deprecated"][-1] == "made_up_old"
    assert list(groups)[-2:] == ["more", "deprecated"]
