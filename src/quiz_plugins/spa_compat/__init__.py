"""Routes of the Quizmaster React SPA (``tpaccy6-star/Quizmaster-Python-Group1``).

That SPA was written against its own Flask backend and calls paths and reads shapes the
canonical API (``API.md``) does not have: ``/api/admin/dashboard/stats``, ``/api/teacher/...``,
``/api/student/...`` and a few more. This plugin serves them as a thin layer over
``quizcore.domain``: every rule, authorisation check and event is the core's; a compat view
only translates the SPA's request into a domain call and the domain's answer into the shape the
SPA's pages read. Leave the plugin out of ``quizcore.plugins`` and the canonical API is
unchanged.

* :mod:`.staff` - the administrator's and teacher's dashboards and lists;
* :mod:`.admin` - the administrator's user management screen;
* :mod:`.bank` - the teacher's question bank, quiz builder and one quiz;
* :mod:`.learner` - the student's screens (dashboard, quizzes, taking an attempt, results),
  attempts, notifications and the account calls;
* :mod:`.teacher_tools` - the teacher's "reset attempts" dialogs (more attempts, with a
  reason, for one student or a whole quiz);
* :mod:`.session` - the refresh cookie and the refresh answer the SPA reads.

``docs/SPA.md`` says how a school serves the SPA with quizcore and lists what it covers.
"""


def includeme(config):
    """Register the SPA's routes (see :mod:`.staff`, :mod:`.admin` and :mod:`.learner`)."""
    config.include(".staff")
    config.include(".admin")
    config.include(".bank")
    config.include(".learner")
    config.include(".teacher_tools")
    config.include(".session")
