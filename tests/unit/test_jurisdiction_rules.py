"""第五条 as plain functions: act location, first discovery/report, common superior, designation."""

from datetime import UTC, datetime, timedelta

from gisgrid.jurisdiction import rules
from gisgrid.jurisdiction.rules import Hit, Report

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHAINS = {
    "V111": ("P", "C1", "T11", "V111"),
    "V112": ("P", "C1", "T11", "V112"),
    "V121": ("P", "C1", "T12", "V121"),
    "T21": ("P", "C2", "T21"),
    "X": ("X",),
    "Y": ("Y",),
}


def hit(code, share=0.5):
    return Hit(code, f"网格{code}", len(CHAINS[code]), CHAINS[code], CHAINS[code], share * 100, share)


def report(incident_id, code, minutes, channel="web"):
    return Report(incident_id, CHAINS[code], T0 + timedelta(minutes=minutes), channel)


def test_common_superior_is_the_lowest_shared_grid_above_every_party():
    assert rules.common_superior([CHAINS["V111"], CHAINS["V112"]]) == "T11"
    assert rules.common_superior([CHAINS["V112"], CHAINS["V121"]]) == "C1"  # climbs two levels
    assert rules.common_superior([CHAINS["V121"], CHAINS["T21"]]) == "P"  # different levels
    assert rules.common_superior([CHAINS["V111"], CHAINS["V112"], CHAINS["T21"]]) == "P"
    assert rules.common_superior([CHAINS["X"], CHAINS["Y"]]) is None  # no shared grid
    assert rules.common_superior([]) is None


def test_a_party_is_never_its_own_superior():
    # a township and one of its own villages: the superior is the county, not the township itself
    assert rules.common_superior([("P", "C1", "T11"), ("P", "C1", "T11", "V111")]) == "C1"


def test_one_grid_with_jurisdiction_holds_it_whoever_reported_first():
    outcome = rules.decide([hit("V111", 1.0)], [report(1, "V121", 0), report(2, "V111", 30)])
    assert (outcome.holder, outcome.rule, outcome.deciding) == ("V111", rules.ACT_LOCATION, None)


def test_several_grids_the_first_to_receive_a_report_holds_it():
    outcome = rules.decide([hit("V112"), hit("V121")], [report(7, "V121", 5), report(3, "V112", 20)])
    assert (outcome.holder, outcome.rule, outcome.deciding) == ("V121", rules.FIRST_RECEIVED, "C1")
    assert outcome.claims["V121"].incident_id == 7 and outcome.claims["V112"].incident_id == 3


def test_a_patrol_discovery_counts_as_discovered_and_can_come_first():
    outcome = rules.decide([hit("V112"), hit("V121")], [report(1, "V121", 10), report(2, "V112", 1, "patrol")])
    assert outcome.holder == "V112"
    assert outcome.claims["V112"].how == rules.DISCOVERED and outcome.claims["V121"].how == rules.REPORTED


def test_reports_from_grids_without_jurisdiction_do_not_count():
    # a downstream village reported first; among the grids where the act occurs, V121 was first
    outcome = rules.decide([hit("V111"), hit("V121")], [report(1, "V112", 0), report(2, "V121", 9)])
    assert (outcome.holder, outcome.rule) == ("V121", rules.FIRST_RECEIVED)


def test_no_report_in_any_grid_with_jurisdiction_needs_designation():
    outcome = rules.decide([hit("V121"), hit("T21")], [report(1, "V112", 0)])
    assert (outcome.holder, outcome.rule, outcome.deciding) == (None, rules.UNDETERMINED, "P")


def test_reports_at_the_same_instant_cannot_decide():
    outcome = rules.decide([hit("V111"), hit("V112")], [report(1, "V111", 5), report(2, "V112", 5)])
    assert (outcome.holder, outcome.rule, outcome.deciding) == (None, rules.UNDETERMINED, "T11")


def test_a_designation_overrides_the_first_report():
    decision = rules.Decision(4, "V112", "C1", "上游排口在西村一侧")
    outcome = rules.decide([hit("V112"), hit("V121")], [report(1, "V121", 0)], decision)
    assert (outcome.holder, outcome.rule, outcome.deciding) == ("V112", rules.DESIGNATED, "C1")


def test_harm_hits_merge_per_grid_with_every_kind():
    merged = rules.merge_hits([("observed", [hit("V111", 0.2)]), ("buffer", [hit("V111", 0.6), hit("V112", 0.4)])])
    by_code = {h.code: h for h in merged}
    assert by_code["V111"].kinds == ("observed", "buffer") and by_code["V111"].share == 0.6
    assert by_code["V112"].kinds == ("buffer",)
