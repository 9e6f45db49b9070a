"""``/api/auth``: sign in and out, refresh, claim an account, reset and change a password.

The rules live in :mod:`quizcore.domain.accounts` (see its docstring for how access tokens,
refresh tokens and reset codes are invalidated); this module maps them to HTTP.

Failures that must still be written (a failed login for the audit trail, a wrong reset code
counted against its tries, a reused refresh token revoking its family) *return* their error
response instead of raising it, so the request's transaction commits.
"""

from __future__ import annotations

from pyramid import httpexceptions as exc
from sqlalchemy import orm

from .. import security
from ..domain import login as login_rules
from ..domain import password_reset, passwords, people, sessions
from ..domain.login import LoginOutcome
from ..errors import bad_request, http_error
from ..events import (
    AccountClaimed,
    EntityChanged,
    LoggedOut,
    LoginFailed,
    LoginSucceeded,
    PasswordChanged,
    PasswordResetRequested,
)
from ..models import Role, Student, User, utcnow
from ..ratelimit import (
    auth_failure_limited,
    client_address,
    enforce,
    record_auth_failure,
    too_many_requests,
)
from ..rest import NO_PERMISSION_REQUIRED, Service, body_validator, emit_for
from ..schemas.auth import (
    ChangePasswordBody,
    ClaimAccountBody,
    ForgotPasswordBody,
    LoginBody,
    LogoutBody,
    ProfileBody,
    RefreshBody,
    ResetPasswordBody,
    VerifyResetCodeBody,
)
from ..schemas.types import check_password_policy
from .users import user_json

login = Service(name="auth_login", path="/api/auth/login",
                description="Sign in with e-mail or registration number and password.")
refresh = Service(name="auth_refresh", path="/api/auth/refresh",
                  description="Exchange a refresh token for a new access token (rotating it).")
logout = Service(name="auth_logout", path="/api/auth/logout",
                 description="End this session (or every session when no refresh token is sent).")
claim_account = Service(name="auth_claim_account", path="/api/auth/claim-account",
                        description="A student sets the first password of their account.")
forgot_password = Service(name="auth_forgot_password", path="/api/auth/forgot-password",
                          description="Send a 6-digit password reset code by e-mail.")
verify_reset_code = Service(name="auth_verify_reset_code", path="/api/auth/verify-reset-code",
                            description="Exchange a reset code for a single-use reset token.")
reset_password = Service(name="auth_reset_password", path="/api/auth/reset-password",
                         description="Set a new password with a reset token (or e-mail + code).")
me = Service(name="auth_me", path="/api/auth/me",
             description="The signed-in user with their role profile.")
profile = Service(name="auth_profile", path="/api/auth/profile",
                  description="Change one's own name (staff) and teacher contact fields.")
change_password = Service(name="auth_change_password", path="/api/auth/change-password",
                          description="Change the signed-in user's password.")

INVALID_CREDENTIALS = "Incorrect e-mail/registration number or password."
INVALID_CODE = "The code is incorrect or has expired. Request a new code if needed."
INVALID_RESET_TOKEN = "This reset link has expired or was already used. Request a new code."  # noqa: S105
INVALID_REFRESH = "The session has expired or was ended. Please sign in again."


REFRESH_COOKIE_PATH = "/api/auth"


def settings(request):
    return request.registry.settings


# -- the optional refresh cookie -------------------------------------------------------------


def enable_refresh_cookie(config) -> None:
    """Config directive: hand the refresh token out as an HttpOnly cookie too (the
    ``quizcore.refresh_cookie`` setting, for a plugin serving a browser client that cannot
    send it in the body)."""
    config.registry.settings["quizcore.refresh_cookie"] = True


def _cookie_enabled(request) -> bool:
    return settings(request)["quizcore.refresh_cookie"]


def _cookie_token(request) -> str | None:
    if not _cookie_enabled(request):
        return None
    return request.cookies.get(settings(request)["quizcore.refresh_cookie_name"]) or None


def _set_refresh_cookie(request, token: str, max_age: int) -> None:
    """HttpOnly (scripts cannot read it), SameSite=Strict (no cross-site sends, so no
    CSRF), sent only to the auth routes. It rotates with the token it carries."""
    if _cookie_enabled(request):
        request.response.set_cookie(
            settings(request)["quizcore.refresh_cookie_name"], token, max_age=max_age,
            path=request.script_name + REFRESH_COOKIE_PATH, httponly=True,
            secure=settings(request)["quizcore.refresh_cookie_secure"], samesite="Strict")


def _clear_refresh_cookie(request, response) -> None:
    if _cookie_enabled(request):
        response.delete_cookie(settings(request)["quizcore.refresh_cookie_name"],
                               path=request.script_name + REFRESH_COOKIE_PATH)


def token_response(request, user: User, refresh_token: sessions.IssuedRefreshToken) -> dict:
    access = security.create_access_token(request, user)
    _set_refresh_cookie(request, refresh_token.token, refresh_token.expires_in)
    return {
        "access_token": access.token,
        "refresh_token": refresh_token.token,
        "token_type": "bearer",
        "expires_in": access.expires_in,
        "refresh_expires_in": refresh_token.expires_in,
    }


def start_session(request, user: User) -> dict:
    """Tokens for a new session (a new refresh-token family)."""
    issued = sessions.issue_refresh_token(
        request.dbsession, user,
        lifetime_seconds=settings(request)["quizcore.refresh_token_lifetime_seconds"])
    return token_response(request, user, issued)


def user_summary(user: User) -> dict:
    data = {"id": user.id, "email": user.email, "name": user.name, "role": str(user.role)}
    if user.role == Role.STUDENT and user.student is not None:
        data["registration_number"] = user.student.registration_number
        data["time_multiplier"] = float(user.student.time_multiplier)
    return data


def _can_reset_password(user: User | None) -> bool:
    """Active accounts with a password (an unclaimed student claims instead)."""
    if user is None or not user.is_active:
        return False
    return not (user.role == Role.STUDENT and
                (user.student is None or not user.student.is_account_claimed))


# -- login / refresh / logout ----------------------------------------------------------------


@login.post(schema=LoginBody(), validators=(body_validator,), permission=NO_PERMISSION_REQUIRED)
def post_login(request):
    """Returns access and refresh tokens. Only failed logins count toward the rate limits
    (per client address and per account), so a classroom behind one address can sign in."""
    body = request.validated
    identifier = body["email_or_reg_no"]
    session = request.dbsession
    limits = request.ratelimits
    address = client_address(request)
    # The address first, before any database work: a flood from one client costs Redis only.
    limited = limits.test("login_per_ip", address)
    if limited is not None:
        emit_for(request, LoginFailed(actor_id=None, user_id=None, reason="rate_limited"))
        return too_many_requests(limited)

    user = people.find_login_user(session, identifier)
    account_key = user.id if user is not None else identifier.strip().lower()
    limited = limits.test("login_per_account", account_key)
    if limited is not None:
        emit_for(request, LoginFailed(actor_id=None, user_id=user.id if user else None,
                                      reason="rate_limited"))
        return too_many_requests(limited)

    result = login_rules.check_login(user, body["password"],
                                     rounds=settings(request)["quizcore.bcrypt_rounds"])
    if not result.ok:
        emit_for(request, LoginFailed(actor_id=None, user_id=user.id if user else None,
                                      reason=result.outcome.value))
        if result.outcome is LoginOutcome.INVALID:
            limits.hit("login_per_ip", address)
            limits.hit("login_per_account", account_key)
            return http_error(exc.HTTPUnauthorized, INVALID_CREDENTIALS, "Invalid credentials")
        if result.outcome is LoginOutcome.UNCLAIMED:
            return http_error(exc.HTTPForbidden,
                              "This account has not been claimed yet. Claim it with your "
                              "registration number first.", "Account not claimed",
                              reason="unclaimed")
        return http_error(exc.HTTPForbidden,
                          "This account is deactivated. Please contact the school.",
                          "Account inactive", reason="inactive")

    limits.clear("login_per_account", account_key)
    emit_for(request, LoginSucceeded(actor_id=user.id, user_id=user.id))
    return {**start_session(request, user), "user": user_summary(user)}


def _bearer(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@refresh.post(schema=RefreshBody(), validators=(body_validator,),
              permission=NO_PERMISSION_REQUIRED)
def post_refresh(request):
    """The refresh token comes in the body, else in the refresh cookie (when enabled), else
    (older clients) as ``Authorization: Bearer <refresh token>``. Each use rotates it: keep
    the new one (the cookie is rotated with it). Failures count per client address and per
    presented token; past ``quizcore.ratelimit_auth_failure_*`` the answer is 429, decided
    before the token is looked up."""
    candidates = (request.validated.get("refresh_token"), _cookie_token(request),
                  _bearer(request))
    presented = [candidate for candidate in candidates if candidate]
    limited = auth_failure_limited(request, *presented)
    if limited is not None:
        return too_many_requests(limited)
    if not presented:
        record_auth_failure(request)
        raise bad_request("Send the refresh token (body field refresh_token).",
                          name="refresh_token")
    result = sessions.rotate_refresh_token(
        request.dbsession, presented[0],
        lifetime_seconds=settings(request)["quizcore.refresh_token_lifetime_seconds"])
    if not result.ok:
        record_auth_failure(request, *presented)
        # Returned, not raised: a reused token has just revoked its family, which must be
        # committed.
        response = http_error(exc.HTTPUnauthorized, INVALID_REFRESH, "Session expired",
                              reason=result.outcome.value,
                              headers={"WWW-Authenticate": "Bearer"})
        _clear_refresh_cookie(request, response)
        return response
    return token_response(request, result.user, result.issued)


@logout.post(schema=LogoutBody(), validators=(body_validator,),
             permission=NO_PERMISSION_REQUIRED)
def post_logout(request):
    """Revokes the sent refresh token's family, or every refresh token of the signed-in user
    when none is sent; the access token stops working too (the user's token version is
    bumped, so other devices refresh once). Works with an expired access token as long as
    the refresh token is sent."""
    owner = sessions.log_out(request.dbsession, request.user,
                             request.validated.get("refresh_token") or _cookie_token(request))
    _clear_refresh_cookie(request, request.response)
    if owner is None:
        raise http_error(exc.HTTPUnauthorized,
                         "Not signed in: send an access token or the refresh token.",
                         "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    emit_for(request, LoggedOut(actor_id=owner.id, user_id=owner.id))
    return {"message": "Logged out."}


# -- claim, forgot, verify, reset ------------------------------------------------------------


@claim_account.post(schema=ClaimAccountBody(), validators=(body_validator,),
                    permission=NO_PERMISSION_REQUIRED)
def post_claim_account(request):
    """Unknown registration numbers count as failed logins of the client address (guessing
    numbers is guessing accounts)."""
    body = request.validated
    address = client_address(request)
    limited = request.ratelimits.test("login_per_ip", address)
    if limited is not None:
        raise too_many_requests(limited)
    check_password_policy(request, body["password"])
    outcome, student = login_rules.claim_account(
        request.dbsession, body["registration_number"], body["password"],
        rounds=settings(request)["quizcore.bcrypt_rounds"])
    if outcome is login_rules.ClaimOutcome.UNKNOWN:
        request.ratelimits.hit("login_per_ip", address)
        raise http_error(exc.HTTPNotFound, "No student account has this registration number.",
                         "Not found")
    if outcome is login_rules.ClaimOutcome.ALREADY_CLAIMED:
        raise bad_request("This account has already been claimed. Sign in instead.",
                          name="registration_number", reason="already_claimed")
    if outcome is login_rules.ClaimOutcome.INACTIVE:
        raise http_error(exc.HTTPForbidden,
                         "This account is deactivated. Please contact the school.",
                         "Account inactive", reason="inactive")
    emit_for(request, AccountClaimed(actor_id=student.id, user_id=student.id))
    return {"message": "Account claimed. You can now sign in.",
            "user": user_summary(student.user)}


def _enforce_reset_limits(request, action: str, email: str) -> None:
    """Codes asked for and codes tried are counted apart (``action``): asking for a code
    must not use up the tries of the code it sends."""
    enforce(request, "reset_per_ip", action, client_address(request))
    enforce(request, "reset_per_email", action, email)


RESET_MAIL = """Hello {name},

Your quizcore password reset code is:

    {code}

It expires in {minutes} minutes and can be used once. If you did not ask to reset your
password, ignore this message: your password has not changed.
"""


@forgot_password.post(schema=ForgotPasswordBody(), validators=(body_validator,),
                      permission=NO_PERMISSION_REQUIRED)
def post_forgot_password(request):
    """Always the same answer, whether the address belongs to an account or not. The mail
    goes out after the commit, on the mail thread, so the answer does not wait for it."""
    email = request.validated["email"]
    _enforce_reset_limits(request, "forgot", email)
    session = request.dbsession
    user = people.find_user_by_email(session, email)
    if _can_reset_password(user):
        lifetime = settings(request)["quizcore.reset_code_lifetime_seconds"]
        code, _ = password_reset.create_reset_code(session, user,
                                                   secret=settings(request)["quizcore.jwt_secret"],
                                                   lifetime_seconds=lifetime)
        request.mailer.send(
            to=user.email, subject="Your quizcore password reset code",
            body=RESET_MAIL.format(name=user.name, code=code, minutes=max(1, lifetime // 60)))
        # Anonymous request: the actor is unknown (anyone may type an address).
        emit_for(request, PasswordResetRequested(actor_id=None, user_id=user.id))
    return {"message": "If an account uses this e-mail address, a reset code is on its way."}


def _code_failure(result: password_reset.CodeResult):
    # One message for every failure (wrong, burnt, expired, no code): the answer must not
    # tell whether the address has an account.
    return bad_request(INVALID_CODE, name="code")


@verify_reset_code.post(schema=VerifyResetCodeBody(), validators=(body_validator,),
                        permission=NO_PERMISSION_REQUIRED)
def post_verify_reset_code(request):
    """A wrong code is counted (and the code burnt at the limit) even though the answer is
    400: the error response is returned so the count is committed."""
    body = request.validated
    _enforce_reset_limits(request, "verify", body["email"])
    user = people.find_user_by_email(request.dbsession, body["email"])
    if not _can_reset_password(user):
        return bad_request(INVALID_CODE, name="code")
    result = password_reset.check_reset_code(
        request.dbsession, user, body["code"], secret=settings(request)["quizcore.jwt_secret"],
        max_tries=settings(request)["quizcore.reset_code_max_tries"])
    if not result.ok:
        return _code_failure(result)
    lifetime = settings(request)["quizcore.reset_token_lifetime_seconds"]
    token = password_reset.make_reset_token(
        result.row, secret=settings(request)["quizcore.jwt_secret"], lifetime_seconds=lifetime)
    return {"message": "Code accepted. Choose a new password.", "reset_token": token,
            "expires_in": lifetime}


@reset_password.post(schema=ResetPasswordBody(), validators=(body_validator,),
                     permission=NO_PERMISSION_REQUIRED)
def post_reset_password(request):
    """Single use. Every session of the user ends (access and refresh tokens)."""
    body = request.validated
    session = request.dbsession
    secret = settings(request)["quizcore.jwt_secret"]
    check_password_policy(request, body["new_password"], name="new_password")
    if "reset_token" in body:
        row = password_reset.redeem_reset_token(session, body["reset_token"], secret=secret)
        if row is None or not _can_reset_password(session.get(User, row.user_id)):
            raise bad_request(INVALID_RESET_TOKEN, name="reset_token")
    else:
        _enforce_reset_limits(request, "verify", body["email"])
        user = people.find_user_by_email(session, body["email"])
        if not _can_reset_password(user):
            return bad_request(INVALID_CODE, name="code")
        result = password_reset.check_reset_code(
            session, user, body["code"], secret=secret,
            max_tries=settings(request)["quizcore.reset_code_max_tries"])
        if not result.ok:
            return _code_failure(result)
        row = result.row
    user = password_reset.complete_password_reset(session, row, body["new_password"],
                                                  rounds=settings(request)["quizcore.bcrypt_rounds"])
    emit_for(request, PasswordChanged(actor_id=user.id, user_id=user.id, via="reset"))
    return {"message": "Your password has been reset. Sign in with the new password."}


# -- the signed-in user ----------------------------------------------------------------------


def _own_account(request) -> User:
    """The signed-in account and its profile in one select (the identity is already
    checked)."""
    return request.dbsession.get(User, request.identity.id, options=(
        orm.joinedload(User.teacher),
        orm.joinedload(User.student).joinedload(Student.school_class)))


def _me_json(request, user: User) -> dict:
    data = user_json(request, user, with_classes=True)
    data["user"] = {name: value for name, value in data.items() if name != "classes"}
    return data


@me.get()
def get_me(request):
    """The account with its role profile; ``user`` repeats it (without ``classes``) in the
    shape login answers, so a client reads the signed-in user the same way after both."""
    return _me_json(request, _own_account(request))


@profile.put(schema=ProfileBody(), validators=(body_validator,))
def put_profile(request):
    """Fields sent unchanged are accepted (the SPA's profile form sends name and e-mail back);
    a real change of a field the role may not edit is a 403 ``managed_by_school`` and
    changes nothing (:func:`quizcore.domain.people.update_own_profile`). Answers as
    ``/auth/me``."""
    user = _own_account(request)
    changed = people.update_own_profile(user, dict(request.validated))
    if changed:
        request.dbsession.flush()
        emit_for(request, EntityChanged(
            action="update", entity_type="user", entity_id=user.id,
            old={field: old for field, (old, _) in changed.items()},
            new={field: new for field, (_, new) in changed.items()}))
    return {"message": "Profile updated." if changed else "Nothing to change.",
            **_me_json(request, user)}


@change_password.post(schema=ChangePasswordBody(), validators=(body_validator,))
def post_change_password(request):
    """Ends every session of the user (all devices) and answers with fresh tokens, so the
    device that changed the password stays signed in. A wrong current password counts as a
    failed login of the account."""
    body = request.validated
    user = request.user
    limits = request.ratelimits
    limited = limits.test("login_per_account", user.id)
    if limited is not None:
        raise too_many_requests(limited)
    check_password_policy(request, body["new_password"], name="new_password")
    if not passwords.verify_password(body["current_password"], user.password_hash):
        limits.hit("login_per_account", user.id)
        raise bad_request("The current password is incorrect.", name="current_password")
    login_rules.set_password(user, body["new_password"],
                             rounds=settings(request)["quizcore.bcrypt_rounds"])
    sessions.end_all_sessions(request.dbsession, user, now=utcnow())
    emit_for(request, PasswordChanged(actor_id=user.id, user_id=user.id, via="change"))
    return {"message": "Password changed. Other devices have been signed out.",
            **start_session(request, user)}


def includeme(config):
    config.add_directive("enable_refresh_cookie", enable_refresh_cookie)
    for service in (login, refresh, logout, claim_account, forgot_password, verify_reset_code,
                    reset_password, me, profile, change_password):
        config.add_cornice_service(service)
    # wrong credentials; inactive or unclaimed account; per IP and per account limits
    config.add_operation_statuses(login, "POST", statuses=(401, 403, 429))
    # inactive account; unknown registration number; failed claims count as failed logins
    config.add_operation_statuses(claim_account, "POST", statuses=(403, 404, 429))
    config.add_operation_statuses(forgot_password, "POST", statuses=(429,))  # per e-mail and IP
    config.add_operation_statuses(verify_reset_code, "POST", statuses=(429,))
    # limited when it is sent the e-mail and code
    config.add_operation_statuses(reset_password, "POST", statuses=(429,))
    # unknown, revoked or reused refresh token; too many failures per address or token
    config.add_operation_statuses(refresh, "POST", statuses=(401, 429))
    config.add_operation_statuses(logout, "POST", statuses=(401,))
    # a field the role may not change (the e-mail address, a student's name)
    config.add_operation_statuses(profile, "PUT", statuses=(403,))
