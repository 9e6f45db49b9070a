"""quizcore: the backend of a school quiz platform.

The WSGI application factory is :func:`quizcore.app.main`. This package's own module imports
nothing but the standard library: the monitor sidecar imports :mod:`quizcore.wire`,
:mod:`quizcore.settings` and :mod:`quizcore.redis_client` without Pyramid, Cornice or
SQLAlchemy.
"""

import warnings

# pyramid, cornice and cornice_swagger still import pkg_resources (setuptools is pinned
# below 81 for them); its deprecation notice says nothing a school can act on. Set here so
# it runs before any quizcore module imports them.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
