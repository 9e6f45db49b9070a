"""Access codes: unambiguous, validated, retried on collision."""

import pytest

from quizcore.domain import access_codes


def test_generated_codes_avoid_ambiguous_characters():
    codes = {access_codes.generate() for _ in range(2000)}
    joined = "".join(codes)
    assert not set("0O1I") & set(joined)
    assert all(len(code) == access_codes.GENERATED_LENGTH for code in codes)
    assert len(codes) > 1990  # 32**6 possibilities: repeats would mean a broken source


def test_a_taken_code_is_drawn_again():
    draws = iter(["TAKEN1", "TAKEN2", "FREE23"])
    taken = {"TAKEN1", "TAKEN2"}
    assert access_codes.unique_code(lambda code: code in taken, lambda: next(draws)) == "FREE23"


def test_endless_collisions_stop_with_an_error():
    with pytest.raises(RuntimeError):
        access_codes.unique_code(lambda code: True)


@pytest.mark.parametrize("code, ok", [
    ("MATH10", True), ("abc", False), ("A" * 21, False), ("MATH-10", False),
    ("START", False), ("Ω1234", False),
])
def test_chosen_codes_are_checked(code, ok):
    assert (access_codes.code_problem(access_codes.normalize(code)) is None) is ok


def test_codes_are_case_insensitive():
    assert access_codes.normalize("  math10 ") == "MATH10"
