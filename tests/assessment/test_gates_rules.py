"""The rules of released start and access gates (quizcore.domain.gates), without HTTP."""

import datetime as dt

import pytest

from quizcore.domain import gates, overrides
from quizcore.domain.errors import Conflict, Forbidden, Invalid
from quizcore.models import Quiz

T0 = dt.datetime(2026, 12, 4, 9, 0, 0)


def quiz(**kw):
    values = {"time_limit_minutes": 30, "start_mode": gates.TEACHER_RELEASE, "released_at": None,
              "end_date": None, "start_date": None, "password_hash": None,
              "allowed_networks": None}
    values.update(kw)
    return Quiz(**values)


def limits(minutes=30, *, end=None, own_window=False):
    return overrides.Effective(time_limit_minutes=minutes, attempts_allowed=1,
                               start_date=T0 if own_window else None, end_date=end,
                               own_window=own_window)


@pytest.mark.parametrize(("given", "expected"), [
    (None, None), ([], None), (["10.1.2.0/24"], ["10.1.2.0/24"]),
    (["10.1.2.7/24"], ["10.1.2.0/24"]),  # host bits dropped
    (["192.168.0.9"], ["192.168.0.9/32"]),  # a bare address is one host
    ([" 10.0.0.0/8 ", "10.0.0.0/8"], ["10.0.0.0/8"]),  # trimmed, duplicates dropped
    (["2001:db8::/32"], ["2001:db8::/32"]),
])
def test_networks_are_normalised(given, expected):
    assert gates.clean_networks(given) == expected


@pytest.mark.parametrize("given", [
    "10.0.0.0/8", ["10.0.0.0/33"], ["school"], [7], [None], ["1.2.3.4/x"],
    [f"10.0.{n}.0/24" for n in range(gates.MAX_NETWORKS + 1)],
])
def test_bad_networks_are_refused(given):
    with pytest.raises(Invalid) as raised:
        gates.clean_networks(given)
    assert raised.value.field == "allowed_networks"


@pytest.mark.parametrize(("networks", "address", "allowed"), [
    (None, "8.8.8.8", True),
    (["10.1.2.0/24"], "10.1.2.200", True),
    (["10.1.2.0/24"], "10.1.3.1", False),
    (["10.1.2.0/24"], "::ffff:10.1.2.5", True),  # IPv4 seen through an IPv6 socket
    (["2001:db8::/32"], "2001:db8::1", True),
    (["10.1.2.0/24"], None, False),
    (["10.1.2.0/24"], "unknown", False),
    (["10.1.2.0/24", "192.168.0.0/16"], "192.168.4.4", True),
])
def test_addresses_are_matched_against_the_networks(networks, address, allowed):
    assert gates.address_allowed(networks, address) is allowed


def test_outside_the_networks_is_refused_with_reason_network():
    with pytest.raises(Forbidden) as raised:
        gates.check_network(quiz(allowed_networks=["10.0.0.0/8"]), "172.16.0.1")
    assert raised.value.reason == "network"


def test_the_quiz_password_is_hashed_and_checked():
    stored = gates.hash_quiz_password("open sesame", rounds=4)
    assert stored.startswith("$2") and "open sesame" not in stored
    gated = quiz(password_hash=stored)
    gates.check_password(gated, "open sesame")
    for wrong in ("open sesamE", "", None, 12):
        with pytest.raises(Forbidden) as raised:
            gates.check_password(gated, wrong)
        assert raised.value.reason == "quiz_password"
    gates.check_password(quiz(), None)  # no password: nothing to give


@pytest.mark.parametrize(("given", "stored"), [(None, False), ("", False), ("pw", True)])
def test_an_empty_password_removes_it(given, stored):
    assert (gates.hash_quiz_password(given, rounds=4) is not None) is stored


@pytest.mark.parametrize("given", [12, "x" * 73])
def test_bad_passwords_are_refused(given):
    with pytest.raises(Invalid):
        gates.hash_quiz_password(given, rounds=4)


@pytest.mark.parametrize(("given", "expected"), [(None, "window"), ("window", "window"),
                                                 ("teacher_release", "teacher_release")])
def test_start_modes(given, expected):
    assert gates.clean_start_mode(given) == expected


def test_an_unknown_start_mode_is_refused():
    with pytest.raises(Invalid):
        gates.clean_start_mode("whenever")


def test_before_the_release_students_wait():
    refusal = gates.release_refusal(quiz(), limits(), T0)
    assert isinstance(refusal, Conflict) and refusal.reason == "waiting_for_release"


def test_a_window_quiz_is_never_held():
    assert gates.release_refusal(quiz(start_mode=gates.WINDOW), limits(), T0) is None
    assert gates.clock_start_deadline(quiz(start_mode=gates.WINDOW), limits(), T0) == \
        T0 + dt.timedelta(minutes=30)


def test_every_clock_starts_at_the_release():
    released = quiz(released_at=T0)
    # On time, and two minutes late: the same clock, each with their own limit.
    assert gates.clock_start_deadline(released, limits(30), T0) == T0 + dt.timedelta(minutes=30)
    late = T0 + dt.timedelta(minutes=2)
    assert gates.release_refusal(released, limits(30), late) is None
    assert gates.clock_start_deadline(released, limits(30), late) == \
        T0 + dt.timedelta(minutes=30)
    assert gates.clock_start_deadline(released, limits(45), late) == \
        T0 + dt.timedelta(minutes=45)  # an accommodation ×1.5


def test_the_close_date_caps_a_released_deadline():
    end = T0 + dt.timedelta(minutes=20)
    assert gates.clock_start_deadline(quiz(released_at=T0), limits(30, end=end), T0) == end


def test_a_late_arrival_after_the_sitting_is_refused():
    released = quiz(released_at=T0)
    over = T0 + dt.timedelta(minutes=30)
    refusal = gates.release_refusal(released, limits(30), over)
    assert isinstance(refusal, Forbidden) and refusal.reason == "release_over"
    # ...but a student with more time still starts, on the same clock.
    assert gates.release_refusal(released, limits(45), over) is None


def test_a_make_up_override_frees_the_student_from_the_release():
    own = limits(30, own_window=True)
    assert not gates.bound_by_release(quiz(), own)
    assert gates.release_refusal(quiz(), own, T0) is None
    later = T0 + dt.timedelta(days=1)
    assert gates.clock_start_deadline(quiz(released_at=T0), own, later) == \
        later + dt.timedelta(minutes=30)


def test_an_override_start_date_sets_own_window():
    quiz_limits = overrides.QuizLimits(30, 1, None, None)
    assert not overrides.resolve(quiz_limits).own_window
    assert overrides.resolve(quiz_limits, student=overrides.Terms(start_date=T0)).own_window
    assert not overrides.resolve(quiz_limits,
                                 student=overrides.Terms(time_limit_minutes=40)).own_window


def test_release_state_of_a_window_quiz_counts_as_released():
    assert gates.ReleaseState(gates.WINDOW, None).released
    assert not gates.ReleaseState(gates.TEACHER_RELEASE, None).released
    assert gates.ReleaseState(gates.TEACHER_RELEASE, T0).released
