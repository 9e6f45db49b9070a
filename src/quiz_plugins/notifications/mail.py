"""Notification e-mails: plain text and HTML, rendered from the files in ``templates/``.

Each notification type has ``<type>.txt`` and ``<type>.html`` (which extends
``_layout.html``). Templates receive the recipient's ``name``, the notification's ``title``
and ``message``, ``url`` (the absolute link into the app when
``quizcore.notifications.app_url`` is set, else None) and the notice's own values
(``quiz_title``, ``score``...). HTML templates escape every value; text templates do not
need to. A missing value is an error, not an empty string, so a broken template fails the
tests rather than a student's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from .messages import TYPES, Notice


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def template_environment() -> jinja2.Environment:
    """The templates of this package; every type's two templates must load."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("quiz_plugins.notifications", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    for kind in TYPES:  # fail at start-up, not when the first mail is due
        environment.get_template(f"{kind}.txt")
        environment.get_template(f"{kind}.html")
    return environment


def absolute_link(app_url: str, link: str | None) -> str | None:
    if not link or not app_url:
        return None
    return app_url.rstrip("/") + link


def render_mail(environment: jinja2.Environment, notice: Notice, *, name: str,
                app_url: str = "") -> RenderedMail:
    """The subject and bodies of ``notice`` for the recipient called ``name``."""
    context = {**notice.context, "name": name, "title": notice.title,
               "message": notice.message, "url": absolute_link(app_url, notice.link)}
    return RenderedMail(
        # A header may not hold line breaks (a quiz title might).
        subject=" ".join(notice.title.split()),
        text=environment.get_template(f"{notice.type}.txt").render(context),
        html=environment.get_template(f"{notice.type}.html").render(context),
    )
