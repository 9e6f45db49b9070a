"""``PUT /api/auth/profile``: who may change what on their own account
(:func:`quizcore.domain.people.update_own_profile`), called directly and over HTTP."""

from __future__ import annotations

import pytest

from quizcore.domain import people
from quizcore.domain.errors import Forbidden
from tests.helpers import assert_error

# -- the rule, called directly ---------------------------------------------------------------


def test_unchanged_fields_are_accepted_for_every_role(dbsession, admin, teacher, student):
    for user in (admin, teacher, student):
        assert people.update_own_profile(user, {"name": user.name,
                                                "email": f"  {user.email.upper()} "}) == {}


def test_staff_change_their_name_and_teachers_their_contact_fields(dbsession, admin, teacher):
    old_name = teacher.name
    changed = people.update_own_profile(teacher, {"name": "New Name", "email": teacher.email,
                                                  "phone": "0123", "bio": "Maths since 2001"})
    assert changed == {"name": (old_name, "New Name"), "phone": (None, "0123"),
                       "bio": (None, "Maths since 2001")}
    assert (teacher.name, teacher.teacher.phone, teacher.teacher.bio) == \
        ("New Name", "0123", "Maths since 2001")
    assert set(people.update_own_profile(admin, {"name": "Head"})) == {"name"}


@pytest.mark.parametrize(("persona", "changes", "field"), [
    ("teacher", {"email": "elsewhere@example.org"}, "email"),
    ("admin", {"email": "elsewhere@example.org"}, "email"),
    ("admin", {"phone": "0123"}, "phone"),
    ("student", {"name": "Someone Else"}, "name"),
    ("student", {"email": "elsewhere@example.org"}, "email"),
])
def test_a_field_kept_by_the_school_refuses_the_whole_change(request, dbsession, persona,
                                                             changes, field):
    user = request.getfixturevalue(persona)
    before = (user.name, user.email)
    with pytest.raises(Forbidden) as refused:
        people.update_own_profile(user, {"name": "Changed Too", **changes})
    assert refused.value.reason == "managed_by_school" and refused.value.field in \
        {field, "name"}
    assert (user.name, user.email) == before


# -- over HTTP -------------------------------------------------------------------------------


def test_the_spa_profile_form_renames_a_teacher(testapp, teacher, auth, dbsession):
    """Profile.tsx sends ``{name, email}``, the e-mail unchanged, and reloads the page."""
    body = testapp.put_json("/api/auth/profile/", {"name": "Ada Lovelace",
                                                   "email": teacher.email},
                            headers=auth(teacher)).json
    assert body["message"] == "Profile updated."
    assert body["name"] == body["user"]["name"] == "Ada Lovelace"
    assert body["email"] == teacher.email and body["role"] == "teacher"
    assert testapp.get("/api/auth/me", headers=auth(teacher)).json["name"] == "Ada Lovelace"


def test_changing_ones_email_is_a_403_and_changes_nothing(testapp, teacher, auth, dbsession):
    before = teacher.email
    body = assert_error(testapp.put_json("/api/auth/profile", {
        "name": "Ada Lovelace", "email": "mine@example.org"}, headers=auth(teacher),
        status=403), 403)
    assert body["reason"] == "managed_by_school"
    dbsession.expire_all()
    assert testapp.get("/api/auth/me", headers=auth(teacher)).json["name"] != "Ada Lovelace"
    assert teacher.email == before


def test_a_student_sending_back_their_own_profile_is_fine(testapp, student, auth):
    body = testapp.put_json("/api/auth/profile", {"name": student.name,
                                                  "email": student.email},
                            headers=auth(student)).json
    assert body["message"] == "Nothing to change."
    assert body["registration_number"] == student.student.registration_number


def test_bad_profile_input_is_a_400(testapp, teacher, auth):
    for bad in ({"email": "not an address"}, {"name": "x" * 300}, {"phone": "1" * 30}):
        assert_error(testapp.put_json("/api/auth/profile", bad, headers=auth(teacher),
                                      status=400), 400)
    assert_error(testapp.put_json("/api/auth/profile", {"name": "A"}, status=401), 401)


def test_a_rename_is_audited(events, teacher, auth):
    client, log = events
    client.put_json("/api/auth/profile", {"name": "Ada Lovelace"}, headers=auth(teacher))
    [changed] = [e for e in log.named("entity.changed") if e.entity_type == "user"]
    assert changed.action == "update" and changed.entity_id == teacher.id
    assert changed.new == {"name": "Ada Lovelace"}
