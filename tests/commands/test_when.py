"""`--at`, `--in`, `--every` → When, and the daylight-saving drift of repeating schedules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.intents import UsageError
from commands.when import (
    MAX_AHEAD,
    When,
    dst_drift,
    parse_at,
    parse_duration,
    parse_interval,
    parse_when,
    zone_named,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
TOKYO = ZoneInfo("Asia/Tokyo")
QUICK = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
# Saturday 2025-10-25 23:50 in Paris (CEST, UTC+2): the clocks go back at 03:00 tomorrow.
LATE_SATURDAY = datetime(2025, 10, 25, 21, 50, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def refused(match: str, **kw) -> str:
    kw.setdefault("now", LATE_SATURDAY)
    kw.setdefault("zone", PARIS)
    with pytest.raises(UsageError, match=match) as caught:
        parse_when(**kw)
    assert caught.value.usage and caught.value.command == "schedule"
    return caught.value.message


# -- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, seconds",
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1w", 604800),
     ("1h30m", 5400), ("1d12h", 129600), (" 2H ", 7200), ("1h 30m", 5400), ("0h5m", 300)],
)  # fmt: skip
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text, hint",
    [("90", "Add a unit: 90s"), ("", "not a duration"), ("30m1h", "not a duration"),
     ("1y", "not a duration"), ("0s", "no time at all"), ("-5m", "not a duration"),
     ("400d", "more than a year"), ("1.5h", "not a duration"), ("99999999s", "not a duration")],
)  # fmt: skip
def test_bad_durations_say_how_to_write_one(text: str, hint: str) -> None:
    with pytest.raises(UsageError, match=hint) as caught:
        parse_duration(text)
    assert "90s, 30m, 2h, 1d" in caught.value.message or "Add a unit" in caught.value.message


@given(
    st.integers(0, 52),
    st.integers(0, 6),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)
@QUICK
def test_any_written_duration_is_its_seconds(w: int, d: int, h: int, m: int, s: int) -> None:
    text = "".join(f"{n}{u}" for n, u in zip((w, d, h, m, s), "wdhms", strict=True) if n)
    total = w * 604800 + d * 86400 + h * 3600 + m * 60 + s
    if not text or total > MAX_AHEAD.total_seconds():
        with pytest.raises(UsageError):
            parse_duration(text)
    else:
        assert parse_duration(text) == total


def test_intervals() -> None:
    assert parse_interval("daily") == 86400 and parse_interval("Hourly") == 3600
    assert parse_interval("weekly") == 604800 and parse_interval("90s") == 90
    with pytest.raises(UsageError, match="too often"):
        parse_interval("30s")
    assert parse_interval("30s", minimum=10) == 30


# -- the three flags together --------------------------------------------------------------


def test_nothing_given_means_run_now() -> None:
    assert parse_when(now=LATE_SATURDAY, zone=PARIS) is None


def test_in_and_every_alone() -> None:
    assert parse_when(in_="10s", now=LATE_SATURDAY, zone=PARIS) == When(
        LATE_SATURDAY + timedelta(seconds=10)
    )
    every = parse_when(every="2h", now=LATE_SATURDAY, zone=PARIS)
    assert every == When(LATE_SATURDAY + timedelta(hours=2), 7200) and every.repeats
    both = parse_when(in_="30m", every="1d", now=LATE_SATURDAY, zone=PARIS)
    assert both == When(LATE_SATURDAY + timedelta(minutes=30), 86400)


def test_at_and_in_together_are_refused() -> None:
    refused("not both", at="tomorrow 09:00", in_="1h")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_when(in_="1h", now=datetime(2025, 1, 1), zone=PARIS)


# -- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expect",
    [
        ("2025-10-26T09:00:00+01:00", utc(2025, 10, 26, 8)),
        ("2025-10-26T08:00:00Z", utc(2025, 10, 26, 8)),
        ("2025-10-26t08:00:00z", utc(2025, 10, 26, 8)),
        ("2025-10-26 08:00+00:00", utc(2025, 10, 26, 8)),
        ("tomorrow 09:00", utc(2025, 10, 26, 8)),  # CET by then: the clocks went back at 03:00
        ("09:00 tomorrow", utc(2025, 10, 26, 8)),
        ("tomorrow@9am", utc(2025, 10, 26, 8)),
        ("tomorrow 00:10", utc(2025, 10, 25, 22, 10)),  # twenty minutes from now, not a day
        ("today 23:55", utc(2025, 10, 25, 21, 55)),
        ("23:59", utc(2025, 10, 25, 21, 59)),
        ("sunday 09:00", utc(2025, 10, 26, 8)),
        ("mon 9:00", utc(2025, 10, 27, 8)),
        ("monday 12pm", utc(2025, 10, 27, 11)),
        ("saturday 23:55", utc(2025, 10, 25, 21, 55)),  # today, still ahead
        ("saturday 09:00", utc(2025, 11, 1, 8)),  # today has passed: next week
        ("thurs 12am", utc(2025, 10, 29, 23)),
    ],
)
def test_times_in_the_requesters_zone(text: str, expect: datetime) -> None:
    start = parse_at(text, now=LATE_SATURDAY, zone=PARIS)
    assert start == expect and start.tzinfo is UTC


@pytest.mark.parametrize(
    "text, match",
    [
        ("23:00", "23:00 today has passed .* Write tomorrow 23:00"),
        ("00:00", "has passed"),  # midnight today is always behind
        ("2025-10-25T09:00:00Z", "in the past"),
        ("2025-10-26T09:00:00", "no UTC offset"),
        ("2027-02-29T09:00:00Z", "not a date and time"),
        ("2026-10-27T09:00:00Z", "more than a year ahead"),
        ("24:00", "not a time"),
        ("9", "not a time"),
        ("13pm", "not a time"),
        ("friyay 09:00", "not a time"),
        ("next monday 09:00", "not a time"),
        ("tomorrow", "not a time"),
        ("", "not a time"),
    ],
)
def test_bad_times_say_how_to_fix_them(text: str, match: str) -> None:
    refused(match, at=text)


def test_feb_29_exists_in_leap_years() -> None:
    eve = datetime(2028, 2, 28, 22, 0, tzinfo=UTC)  # 23:00 in Paris
    assert parse_at("tomorrow 09:00", now=eve, zone=PARIS) == utc(2028, 2, 29, 8)
    assert parse_at("2028-02-29T09:00:00Z", now=eve, zone=PARIS) == utc(2028, 2, 29, 9)
    assert parse_at("tue 09:00", now=eve, zone=PARIS) == utc(2028, 2, 29, 8)


def test_tomorrow_is_the_requesters_tomorrow() -> None:
    now = utc(2025, 6, 1, 23, 30)  # 08:30 on 2 June in Tokyo
    assert parse_at("tomorrow 09:00", now=now, zone=TOKYO) == utc(2025, 6, 3, 0)
    assert parse_at("09:00", now=now, zone=TOKYO) == utc(2025, 6, 2, 0)
    assert parse_at("tomorrow 09:00", now=now, zone=UTC) == utc(2025, 6, 2, 9)


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first() -> None:
    spring_eve = utc(2026, 3, 28, 23)  # Paris, the night the clocks go forward at 02:00
    refused("does not exist on 2026-03-29 .* clocks go forward", at="02:30", now=spring_eve)
    assert parse_at("03:30", now=spring_eve, zone=PARIS) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 2025-10-26 (CEST, then CET): the first one.
    assert parse_at("tomorrow 02:30", now=LATE_SATURDAY, zone=PARIS) == utc(2025, 10, 26, 0, 30)


def test_unknown_zone_names_fall_back_to_utc() -> None:
    assert zone_named("Europe/Paris") == PARIS
    for name in (None, "", "Mars/Olympus_Mons", "../../etc/passwd"):
        assert zone_named(name) is UTC


ZONES = st.sampled_from(
    ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
     "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo", "UTC"]
)  # fmt: skip
NOWS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@given(NOWS, ZONES, st.integers(0, 23), st.integers(0, 59), st.sampled_from(
    ["tomorrow", "mon", "tuesday", "wed", "thu", "friday", "sat", "sun"]))  # fmt: skip
@QUICK
def test_day_words_land_on_that_day_and_hour_ahead_of_now(
    now: datetime, zone_name: str, hour: int, minute: int, day: str
) -> None:
    zone = ZoneInfo(zone_name)
    try:
        start = parse_at(f"{day} {hour:02d}:{minute:02d}", now=now, zone=zone)
    except UsageError as exc:  # only for a time the clocks skip that day
        assert "does not exist" in exc.message
        return
    local = start.astimezone(zone)
    assert start > now and (local.hour, local.minute) == (hour, minute)
    today = now.astimezone(zone).date()
    if day == "tomorrow":
        assert local.date() == today + timedelta(days=1)
    else:
        assert local.strftime("%a").lower()[:3] == day[:3]
        assert start - now <= timedelta(days=7, hours=2)


@given(NOWS, ZONES, st.integers(0, 23), st.integers(0, 59))
@QUICK
def test_a_bare_time_is_today_or_a_usage_error(
    now: datetime, zone_name: str, hour: int, minute: int
) -> None:
    zone = ZoneInfo(zone_name)
    try:
        start = parse_at(f"{hour}:{minute:02d}", now=now, zone=zone)
    except UsageError as exc:
        assert "has passed" in exc.message or "does not exist" in exc.message
        return
    assert start > now and start.astimezone(zone).date() == now.astimezone(zone).date()


# -- daylight-saving drift -----------------------------------------------------------------


def test_a_daily_paris_run_moves_an_hour_when_the_clocks_go_back() -> None:
    start = utc(2025, 10, 20, 7)  # 09:00 CEST
    drift = dst_drift(start, 86400, PARIS)
    assert drift is not None and drift.change == utc(2025, 10, 26, 1)
    assert drift.shift == timedelta(hours=-1)
    assert (drift.before.hour, drift.after.hour) == (9, 8)
    # A day apart (Python subtracts wall times within one zone, so compare in UTC).
    assert drift.after.astimezone(UTC) - drift.before.astimezone(UTC) == timedelta(days=1)
    assert drift.after.date().isoformat() == "2025-10-26"


def test_the_next_change_after_the_start_is_found_in_each_hemisphere() -> None:
    spring = dst_drift(utc(2025, 10, 27, 8), 86400, PARIS)  # the next one is in March
    assert spring is not None and spring.change == utc(2026, 3, 29, 1)
    assert spring.shift == timedelta(hours=1) and spring.after.hour == 10
    ny = dst_drift(utc(2025, 3, 1, 14), 604800, NEW_YORK)  # weekly, 09:00 EST
    assert ny is not None and ny.change == utc(2025, 3, 9, 7) and ny.after.hour == 10
    sydney = dst_drift(utc(2025, 3, 1), 86400, SYDNEY)  # the clocks go back in April there
    assert sydney is not None and sydney.change == utc(2025, 4, 5, 16)
    assert sydney.shift == timedelta(hours=-1)


def test_no_drift_without_a_change_or_for_short_intervals() -> None:
    assert dst_drift(utc(2025, 1, 1), 86400, ZoneInfo("Asia/Kolkata")) is None
    assert dst_drift(utc(2025, 1, 1), 86400, UTC) is None
    assert dst_drift(utc(2025, 10, 20), 3600, PARIS) is None  # hourly stays hourly
    assert dst_drift(utc(2025, 10, 20), 7200, PARIS) is not None
    assert dst_drift(utc(2025, 10, 20), 86400, PARIS, horizon=timedelta(days=3)) is None
    half = dst_drift(utc(2025, 3, 1), 86400, ZoneInfo("Australia/Lord_Howe"))
    assert half is not None and half.shift == timedelta(minutes=-30)
